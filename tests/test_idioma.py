"""Idiomas: español de México por defecto, inglés completo, elegir con /idioma."""

from nucleo.anuncios import Audiencia
from nucleo.configuracion import RAIZ
from nucleo.textos import Textos, idioma_de_telegram
from nucleo.vocabulario import TipoAudiencia
from tests.conversador import Persona, completar_perfil, dar_consentimiento


def test_codigo_de_telegram_a_nuestro_idioma() -> None:
    # negotiate_locale elegiría en_US para "es": por eso lo hacemos a mano.
    assert idioma_de_telegram("es") == "es_MX"
    assert idioma_de_telegram("es-419") == "es_MX"
    assert idioma_de_telegram("en-GB") == "en"
    assert idioma_de_telegram("fr") == "es_MX"
    assert idioma_de_telegram(None) == "es_MX"


def test_traduccion_faltante_cae_al_espanol() -> None:
    ingles = Textos(RAIZ / "contenido" / "locales").para("en")
    assert ingles("Un texto que nadie tradujo") == "Un texto que nadie tradujo"
    assert ingles("Ayuda y contacto") == "Help and contact"


async def test_persona_en_ingles_recibe_todo_en_ingles(john: Persona, bot) -> None:
    bienvenida, aviso = await john.escribe("/start")
    assert "Hi, John" in bienvenida.texto_plano
    assert "Privacy notice" in aviso.texto_plano and "Telegram" in aviso.texto_plano
    await john.pulsa("✅ Yes, I accept")
    await john.escribe("John")
    await john.escribe("Puebla")
    await john.pulsa("Man")
    assert "How old are you?" in john.texto()


async def test_orientacion_en_ingles_con_contenido_traducido(john: Persona) -> None:
    await dar_consentimiento_en(john)
    await john.escribe("/orientacion")
    assert "Question 1" in john.texto()
    await john.escribe("Sell bread")
    assert "What do you already have to get started?" in john.texto()


async def dar_consentimiento_en(persona: Persona) -> None:
    await persona.escribe("/start")
    await persona.pulsa("✅ Yes, I accept")
    await persona.pulsa("Call me John")
    await persona.escribe("Puebla")
    for _ in range(2):
        await persona.pulsa("Skip this question")
    await persona.pulsa("No, skip them")


async def test_cambiar_de_idioma_se_guarda(ana: Persona, bot) -> None:
    await completar_perfil(ana)
    await ana.escribe("/idioma")
    await ana.pulsa("English")
    assert "Done. I'll speak English from now on." in ana.texto()
    assert (await bot.almacen.persona(ana.id)).idioma == "en"
    await bot.reiniciar()
    await ana.escribe("/menu")
    assert "What do you want to do?" in ana.texto()
    await ana.escribe("/mis_datos")
    assert "November 25, 2026" in ana.texto()


async def test_sin_consentimiento_el_idioma_no_se_guarda(ana: Persona, bot) -> None:
    await ana.escribe("/idioma")
    await ana.pulsa("English")
    assert "English" in ana.texto()
    assert await bot.almacen.persona(ana.id) is None
    await ana.escribe("/start")
    assert "Privacy notice" in ana.texto()
    await ana.pulsa("✅ Yes, I accept")
    assert (await bot.almacen.persona(ana.id)).idioma == "en"


async def test_fechas_en_espanol_de_mexico(ana: Persona) -> None:
    await dar_consentimiento(ana)
    await ana.escribe("/mis_datos")
    assert "25 de noviembre de 2026" in ana.texto()


async def test_el_idioma_en_que_se_le_habla_se_guarda_al_aceptar(john: Persona, ana: Persona,
                                                                  bot) -> None:
    """Quien acepta el aviso con Telegram en inglés (sin elegir con /idioma) queda guardado en
    inglés: sus avisos por la cola y los anuncios por idioma la encuentran así. Una fila vieja
    sin idioma cuenta como el predeterminado."""
    await dar_consentimiento(ana)
    await john.escribe("/start")
    await john.pulsa("✅ Yes, I accept")
    assert (await bot.almacen.persona(john.id)).idioma == "en"
    assert (await bot.almacen.persona(ana.id)).idioma == "es_MX"
    anuncios = bot.servicios.anuncios
    ingles = Audiencia(TipoAudiencia.IDIOMA, ("en",))
    espanol = Audiencia(TipoAudiencia.IDIOMA, ("es_MX",))
    assert await anuncios.contar(ingles) == 1 and await anuncios.contar(espanol) == 1
    async with bot.almacen.transaccion() as bd:
        await bd.execute("UPDATE personas SET idioma = NULL WHERE telegram_id = ?", (ana.id,))
    assert await anuncios.contar(espanol) == 1 and await anuncios.contar(ingles) == 1
