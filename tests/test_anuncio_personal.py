"""Las pantallas de anuncios del personal (/anuncio y /anuncios), de punta a punta contra el
emulador: escribir con formato y foto, elegir a quién, la vista previa idéntica a lo que llega,
el mensaje de avance editado en su lugar, el informe final, programar, cambiar, cancelar,
pausar y reanudar; y que nadie fuera del personal llega a nada de esto.

El trabajo de avance (cada ~3 s) se corre a mano con `revisar_avance`: las pruebas no esperan
al reloj de la JobQueue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.anuncios import Audiencia, Borrador
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.ritmo import INTENTOS
from nucleo.textos import Textos
from nucleo.vocabulario import EstadoAnuncio, TipoAudiencia
from tests.conversador import (
    ID_PERSONAL,
    BotDePrueba,
    Persona,
    completar_perfil,
    esperar,
)

TEXTO_HTML = "<b>Feria del empleo</b> el sábado en el <i>zócalo</i>"


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Rosa"))


async def revisar_avance(bot: BotDePrueba) -> None:
    """Una vuelta del trabajo de avance (el mismo que corre la JobQueue cada ~3 s)."""
    aplicacion = bot.coopera.aplicacion
    (trabajo,) = aplicacion.job_queue.get_jobs_by_name("avance_anuncios")
    await trabajo.run(aplicacion)


async def sin_pendientes(bot: BotDePrueba, anuncio_id: int) -> None:
    """Espera a que la cola anote el resultado de cada envío del anuncio (lo que llega a las
    personas se anota un momento después)."""
    async with asyncio.timeout(10):
        while (await bot.servicios.anuncios.avance(anuncio_id)).pendientes:
            await asyncio.sleep(0.01)


def crudo(emulador: EmuladorBotAPI, chat_id: int, message_id: int) -> dict:
    return emulador._crudos[(chat_id, message_id)]


def como_se_ve(mensaje: dict) -> dict:
    """Lo que ve quien lo recibe: texto o pie con sus entidades, y el archivo."""
    claves = ("text", "entities", "caption", "caption_entities")
    visto = {clave: mensaje.get(clave) for clave in claves}
    visto["foto"] = mensaje["photo"][-1]["file_id"] if "photo" in mensaje else None
    visto["documento"] = mensaje.get("document", {}).get("file_id")
    visto["botones"] = mensaje.get("reply_markup")
    return visto


def anuncios_recibidos(persona: Persona, texto: str) -> list:
    return [m for m in persona.mensajes() if texto in (m.texto_plano or "")]


async def auditoria(bot: BotDePrueba) -> list[tuple[int | None, str]]:
    return [(a.quien, a.accion) for a in await bot.almacen.auditoria(100)]


@pytest.mark.parametrize("medio", ["texto", "foto", "documento"])
async def test_escribir_con_formato_a_municipios_vista_previa_y_avance(
        bot: BotDePrueba, emulador: EmuladorBotAPI, personal: Persona, ana: Persona,
        medio: str) -> None:
    await completar_perfil(ana, "Ana", "Puebla")
    john = bot.persona(UsuarioFicticio(202, first_name="Juan"))
    await completar_perfil(john, "Juan", "Atlixco")
    lejos = bot.persona(UsuarioFicticio(303, first_name="Lupe"))
    await completar_perfil(lejos, "Lupe", "Tehuacán")

    await personal.escribe("/anuncio")
    assert "Escribe el texto" in personal.texto()
    if medio == "foto":  # la foto con el texto como pie
        await personal._accion(lambda: emulador.enviar_foto(personal.usuario, pie=TEXTO_HTML))
    else:  # el texto y luego el documento (o nada)
        await personal._accion(
            lambda: emulador.escribir_con_formato(personal.usuario, TEXTO_HTML))
        if medio == "documento":
            await personal.envia("documento")
        else:
            await personal.pulsa("Sin foto ni documento")
    assert "¿A quién le llega?" in personal.texto()
    await personal.pulsa("Por municipio")
    await personal.escribe("Puebla")
    assert "Agregué Puebla" in personal.texto()
    await personal.escribe("Atlixco")
    assert "Puebla, Atlixco" in personal.texto()
    await personal.pulsa("✅ Listo")
    resumen = personal.ultimo()
    assert "Les llegará a 2 personas" in resumen.texto_plano
    vista_previa = personal.mensajes()[-2]
    assert vista_previa.tipo == medio
    assert vista_previa.teclado is None

    await personal.pulsa("📤 Enviar ahora")
    avance = personal.ultimo()
    assert "Anuncio 1" in avance.texto_plano
    texto_inicial = avance.texto_plano
    await esperar(lambda: anuncios_recibidos(ana, "Feria del empleo")
                  and anuncios_recibidos(john, "Feria del empleo"))

    # La vista previa es idéntica a lo que recibió cada persona (HTML, entidades y foto).
    previa = como_se_ve(crudo(emulador, ID_PERSONAL, vista_previa.message_id))
    for persona in (ana, john):
        (recibido,) = anuncios_recibidos(persona, "Feria del empleo")
        assert como_se_ve(crudo(emulador, persona.id, recibido.message_id)) == previa
    if medio == "texto":
        assert previa["entities"] and not previa["foto"] and not previa["documento"]
    else:
        assert previa["caption_entities"] and previa["text"] is None
        assert previa["foto" if medio == "foto" else "documento"]
    assert anuncios_recibidos(lejos, "Feria del empleo") == []

    # El trabajo de avance edita el MISMO mensaje y, al terminar, manda el informe.
    await sin_pendientes(bot, 1)
    await revisar_avance(bot)
    editado = emulador._buscar(ID_PERSONAL, avance.message_id)
    assert editado.editado and editado.texto_plano != texto_inicial
    assert "Terminado" in editado.texto_plano and "Enviados: 2 de 2" in editado.texto_plano
    informe = personal.ultimo()
    assert informe.message_id != avance.message_id
    assert "Anuncio 1 terminado" in informe.texto_plano
    assert "Llegó a 2 de 2 personas" in informe.texto_plano

    # Otra vuelta: nada cambió, nada se edita ni se repite.
    ediciones = [p for p in emulador.peticiones if p.metodo == "editMessageText"]
    await revisar_avance(bot)
    assert [p for p in emulador.peticiones if p.metodo == "editMessageText"] == ediciones
    assert personal.ultimo().message_id == informe.message_id
    assert len(anuncios_recibidos(ana, "Feria del empleo")) == 1
    # Terminado e informado: el bot ya no guarda su última versión del avance.
    mostrado = bot.coopera.aplicacion.bot_data.get("avance_mostrado", {})
    assert (ID_PERSONAL, avance.message_id) not in mostrado

    await personal.escribe("/anuncios")
    lista = personal.texto()
    assert "Terminado" in lista and "Enviados: 2 de 2" in lista
    assert "Por municipio: Puebla, Atlixco" in lista
    assert (ID_PERSONAL, "anuncio") in await auditoria(bot)


async def test_texto_largo_con_foto_se_dice_con_calma(
        bot: BotDePrueba, emulador: EmuladorBotAPI, personal: Persona) -> None:
    await personal.escribe("/anuncio")
    await personal.escribe("Hola. " * 200)  # 1,200 caracteres: cabe sin foto
    assert "¿Lleva una foto o un documento?" in personal.texto()
    await personal.envia("foto")
    assert "1024" in personal.texto() and "1200" in personal.texto()
    await personal.pulsa("Sin foto ni documento")
    assert "¿A quién le llega?" in personal.texto()


async def test_programar_cambiar_y_cancelar_antes_de_que_empiecen(
        bot: BotDePrueba, reloj: RelojFijo, personal: Persona, ana: Persona) -> None:
    await completar_perfil(ana, "Ana", "Puebla")

    async def programar(texto: str, dia: str) -> None:
        await personal.escribe("/anuncio")
        await personal.escribe(texto)
        await personal.pulsa("Sin foto ni documento")
        await personal.pulsa("Todas las personas")
        assert "Le llegará a 1 persona" in personal.texto()
        await personal.pulsa("🕒 Programar")
        await personal.escribe("ayer no es fecha")
        assert "No entiendo esa fecha" in personal.texto()
        await personal.escribe(dia)
        await personal.escribe("10:00")

    await programar("Taller el lunes", "26/11/2026")
    assert "el anuncio 1 sale el" in personal.texto()
    await programar("Taller cancelado", "27/11/2026")
    assert "el anuncio 2 sale el" in personal.texto()

    await personal.escribe("/anuncios")
    assert personal.texto().count("Programado") == 2
    # Cambiar el texto del 1 (con su misma fecha) y luego solo su hora.
    await personal.pulsa("👁️ Ver 1")
    await personal.pulsa("✏️ Cambiar")
    assert "Les llegará" in personal.texto() or "Le llegará" in personal.texto()
    await personal.pulsa("✏️ Cambiar el texto")
    await personal.escribe("Taller el <martes>")
    await personal.pulsa("Sin foto ni documento")
    await personal.pulsa("💾 Guardar los cambios")
    assert "Anuncio 1 cambiado" in personal.texto()
    await personal.escribe("/anuncios")
    await personal.pulsa("👁️ Ver 1")
    await personal.pulsa("🕒 Cambiar la fecha")
    await personal.escribe("26/11/2026")
    await personal.escribe("11:30")
    assert "Anuncio 1 cambiado" in personal.texto()
    # Cancelar el 2.
    await personal.escribe("/anuncios")
    await personal.pulsa("👁️ Ver 2")
    await personal.pulsa("❌ Cancelar")
    await personal.pulsa("❌ Sí, cancelarlo")
    assert "Anuncio cancelado" in personal.texto()

    anuncios = bot.servicios.anuncios
    assert (await anuncios.obtener(2)).estado == EstadoAnuncio.CANCELADO
    uno = await anuncios.obtener(1)
    assert uno.estado == EstadoAnuncio.PROGRAMADO
    assert uno.borrador.texto == "Taller el &lt;martes&gt;"

    reloj.avanzar(days=2)
    assert await anuncios.iniciar_los_que_tocan() == [1]
    await esperar(lambda: anuncios_recibidos(ana, "Taller el <martes>"))
    await sin_pendientes(bot, 1)
    await revisar_avance(bot)
    assert anuncios_recibidos(ana, "Taller el lunes") == []
    assert anuncios_recibidos(ana, "Taller cancelado") == []
    assert (await anuncios.obtener(1)).estado == EstadoAnuncio.TERMINADO
    acciones = [accion for quien, accion in await auditoria(bot) if quien == ID_PERSONAL]
    assert acciones.count("anuncio_programado") == 2
    assert acciones.count("anuncio_editado") == 2
    assert acciones.count("anuncio_cancelado") == 1


@pytest.fixture
async def bot_lento(config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo,
                    contenido_real: Contenido,
                    textos_reales: Textos) -> AsyncIterator[BotDePrueba]:
    """La cola en bloque a 5 por segundo: un anuncio a 40 personas tarda ~8 s y se le alcanza
    a media entrega."""
    prueba = BotDePrueba(replace(config, envios_por_segundo=5), emulador, reloj,
                         contenido=contenido_real, textos=textos_reales)
    await prueba.iniciar()
    yield prueba
    await prueba.detener()


async def test_pausar_reanudar_y_cancelar_a_media_entrega(
        bot_lento: BotDePrueba, emulador: EmuladorBotAPI, reloj: RelojFijo) -> None:
    bot = bot_lento
    personal = bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Rosa"))
    destinatarios = [UsuarioFicticio(5000 + i, first_name="Persona") for i in range(40)]
    for usuario in destinatarios:
        emulador.conocer(usuario)
        await bot.almacen.registrar_consentimiento(usuario.id, True, "prueba", reloj.ahora())

    await personal.escribe("/anuncio")
    await personal._accion(
        lambda: emulador.escribir_con_formato(personal.usuario, "Aviso <b>importante</b>"))
    await personal.pulsa("Sin foto ni documento")
    await personal.pulsa("Todas las personas")
    assert "Les llegará a 40 personas" in personal.texto()
    await personal.pulsa("📤 Enviar ahora")
    avance = personal.ultimo()
    anuncios = bot.servicios.anuncios

    def recibidos() -> list[int]:
        return [u.id for u in destinatarios
                for m in emulador.mensajes_del_bot(u.id) if "Aviso importante" in m.texto_plano]

    await personal.pulsa("⏸️ Pausar", avance.message_id)
    pausado = await anuncios.avance(1)
    assert pausado.estado == EstadoAnuncio.PAUSADO and pausado.retenidos > 0
    tarjeta = emulador._buscar(ID_PERSONAL, avance.message_id)
    assert "En pausa" in tarjeta.texto_plano
    assert [b["text"] for b in tarjeta.botones()] == ["▶️ Reanudar", "❌ Cancelar"]

    await personal.pulsa("▶️ Reanudar", avance.message_id)
    assert (await anuncios.avance(1)).estado == EstadoAnuncio.ENVIANDO
    enviados_antes = pausado.enviados
    await esperar(lambda: len(recibidos()) > enviados_antes + 1)

    await personal.pulsa("❌ Cancelar", avance.message_id)
    assert "¿Cancelar el anuncio 1?" in personal.texto()
    await personal.pulsa("❌ Sí, cancelarlo")
    final = await anuncios.avance(1)
    assert final.estado == EstadoAnuncio.CANCELADO and final.cancelados > 0

    # Lo que iba en vuelo termina; después no sale nada más y nadie lo recibe dos veces.
    await sin_pendientes(bot, 1)
    final = await anuncios.avance(1)
    assert final.pendientes == 0
    assert len(recibidos()) == len(set(recibidos())) == final.enviados
    assert final.enviados + final.cancelados + final.inciertos + final.fallidos == 40
    assert final.cancelados > 0

    tarjeta = emulador._buscar(ID_PERSONAL, avance.message_id)
    assert "Cancelado" in tarjeta.texto_plano and not tarjeta.botones()
    assert any("Anuncio 1 cancelado" in (m.texto_plano or "") for m in personal.mensajes())
    acciones = [accion for quien, accion in await auditoria(bot) if quien == ID_PERSONAL]
    for accion in ("anuncio", "anuncio_pausado", "anuncio_reanudado", "anuncio_cancelado"):
        assert accion in acciones


DATOS_FALSOS = ("anun:nuevo", "anun:editar:1", "anun:fecha:1", "anun:enviar", "anun:guardar",
                "anun:programar", "anun:aud:todos", "anun:sel:es_MX", "anun:listo",
                "anun:salir", "anun:otra_cosa", "anuns:lista", "anuns:lista:5", "anuns:ver:1",
                "anuns:muestra:1", "anuns:pausar:1", "anuns:reanudar:1", "anuns:cancelar:1",
                "anuns:cancelar_si:1", "anuns:inventado")


async def test_quien_no_es_personal_no_llega_a_nada(
        bot: BotDePrueba, personal: Persona, ana: Persona) -> None:
    await completar_perfil(ana, "Ana", "Puebla")
    # Un anuncio programado del personal, que nadie más puede ver, cambiar ni cancelar.
    await personal.escribe("/anuncio")
    await personal.escribe("Solo del personal")
    await personal.pulsa("Sin foto ni documento")
    await personal.pulsa("Todas las personas")
    await personal.pulsa("🕒 Programar")
    await personal.escribe("30/11/2026")
    await personal.escribe("09:00")

    for comando in ("/anuncio", "/anuncios"):
        respuesta = await ana.escribe(comando)
        assert "solo para el personal" in respuesta[-1].texto_plano
    await ana.escribe("Un texto que no es un anuncio")
    for datos in DATOS_FALSOS:
        respuesta = await ana.pulsa_datos(datos)
        textos = " ".join(m.texto_plano or "" for m in respuesta)
        assert "solo para el personal" in textos, datos
        assert "Solo del personal" not in textos and "Anuncio 1" not in textos, datos

    lista = await bot.servicios.anuncios.listar()
    assert [(a.id, a.estado) for a, _av in lista] == [(1, EstadoAnuncio.PROGRAMADO)]
    assert all(quien == ID_PERSONAL for quien, accion in await auditoria(bot)
               if accion.startswith("anuncio"))


async def test_elegir_varias_opciones_marcar_y_desmarcar(
        bot: BotDePrueba, personal: Persona, ana: Persona) -> None:
    await completar_perfil(ana, "Ana", "Puebla")
    await ana.escribe("/idioma")
    await ana.pulsa("Español (México)")

    await personal.escribe("/anuncio")
    await personal.escribe("Hola")
    await personal.pulsa("Sin foto ni documento")
    await personal.pulsa("Por idioma")
    assert personal.botones()[:2] == ["▫️ Español (México)", "▫️ English"]
    await personal.pulsa("✅ Listo")
    assert "Elige al menos una opción" in personal.texto()
    await personal.pulsa("English")
    await personal.pulsa("Español (México)")
    await personal.pulsa("✅ English")  # desmarcar
    assert personal.botones()[:2] == ["✅ Español (México)", "▫️ English"]
    await personal.pulsa_datos("anun:sel:fr")  # inventado: no se marca nada
    assert personal.botones()[:2] == ["✅ Español (México)", "▫️ English"]
    await personal.pulsa("✅ Listo")
    assert "Le llegará a 1 persona" in personal.texto()
    assert "Por idioma: Español (México)" in personal.texto()


async def test_anuncios_por_paginas_lo_mas_nuevo_primero(
        bot: BotDePrueba, reloj: RelojFijo, personal: Persona) -> None:
    anuncios = bot.servicios.anuncios
    for n in range(7):
        await anuncios.crear(Borrador(f"Anuncio número {n}", Audiencia(TipoAudiencia.TODOS)),
                             autor_id=ID_PERSONAL, programado_para=reloj.ahora().replace(
                                 year=2027, day=1 + n))
    await personal.escribe("/anuncios")
    primera = personal.texto()
    assert primera.index("\n7 ·") < primera.index("\n6 ·") and "\n2 ·" not in primera
    await personal.pulsa("Más viejos ▶️")
    segunda = personal.texto()
    assert "\n2 ·" in segunda and "\n1 ·" in segunda and "\n3 ·" not in segunda
    assert "Más viejos ▶️" not in personal.botones()
    await personal.pulsa("⏮️ Lo más nuevo")
    assert "\n7 ·" in personal.texto()


async def test_el_informe_que_no_salio_se_manda_despues_y_una_sola_vez(
        bot: BotDePrueba, emulador: EmuladorBotAPI, personal: Persona, ana: Persona) -> None:
    """Telegram falla justo al mandar el informe final y el bot se reinicia: la siguiente
    vuelta del trabajo de avance lo manda, una vez."""
    await completar_perfil(ana, "Ana", "Puebla")
    await personal.escribe("/anuncio")
    await personal.escribe("Taller de costura el lunes")
    await personal.pulsa("Sin foto ni documento")
    await personal.pulsa("Todas las personas")
    await personal.pulsa("📤 Enviar ahora")
    await esperar(lambda: anuncios_recibidos(ana, "Taller de costura"))
    await sin_pendientes(bot, 1)

    def informes() -> list:
        return [m for m in personal.mensajes() if "Anuncio 1 terminado" in (m.texto_plano or "")]

    # Falla cada intento de esa petición (el limitador reintenta un 5xx hasta INTENTOS veces).
    emulador.inyectar_fallo("500", metodo="sendMessage", chat_id=ID_PERSONAL, veces=INTENTOS)
    await revisar_avance(bot)  # termina, pero el informe no sale (un aviso en el registro)
    assert informes() == []
    await bot.reiniciar()
    await revisar_avance(bot)
    await revisar_avance(bot)
    assert len(informes()) == 1
    assert len(anuncios_recibidos(ana, "Taller de costura")) == 1
