"""El personal de la Secretaría maneja las sesiones desde Telegram: crear, corregir, cambiar de
fecha, cancelar, ver la lista (y en CSV), registrar asistencia. Quien no es personal no puede.

Las personas inscritas se preparan con el almacén (su inscripción ya la prueba el lado de la
ciudadanía); todo lo del personal se hace como persona usuaria, sobre el emulador.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from emulador import UsuarioFicticio
from nucleo import avisos
from nucleo.almacen.cursos import SesionNueva
from nucleo.almacen.sesiones import Afectada
from nucleo.contexto import Servicios
from nucleo.fechas import fecha_y_hora
from tests.conversador import ID_PERSONAL, INICIO, BotDePrueba, Persona, textos

NEGATIVA = "solo para el personal de la Secretaría"


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))


def servicios(bot: BotDePrueba) -> Servicios:
    return bot.coopera.aplicacion.bot_data["servicios"]


def local(bot: BotDePrueba, dia: int, hora: int, minuto: int = 0) -> datetime:
    return datetime(2026, 12, dia, hora, minuto, tzinfo=bot.config.zona_horaria)


async def con_perfil(persona: Persona, idioma: str, **perfil: str) -> None:
    """Acepta el aviso (con su idioma) y llena su perfil, sin pasar por las preguntas."""
    await persona.escribe("/start")  # así el emulador conoce su chat
    almacen, ahora = persona.bot.almacen, persona.bot.reloj.ahora()
    await almacen.registrar_consentimiento(persona.id, True, "prueba", ahora, idioma=idioma)
    for campo, valor in perfil.items():
        await almacen.guardar_en_perfil(persona.id, campo, valor, ahora)


async def nueva_sesion(bot: BotDePrueba, cupo: int = 1, inicio: datetime | None = None,
                       modalidad: str = "presencial") -> int:
    lugar = {"municipio_clave": "21114", "lugar": "Casa de la Cultura",
             "direccion": "5 Oriente 5, Centro"} if modalidad == "presencial" else {
        "enlace": "https://meet.example.org/abc"}
    nueva = SesionNueva("coop_basico", inicio or local(bot, 2, 10), 120, modalidad, cupo,
                        **lugar)
    return await bot.almacen.crear_sesion(nueva, bot.reloj.ahora())


async def inscribir(bot: BotDePrueba, sesion_id: int, persona: Persona) -> int:
    ahora = bot.reloj.ahora()
    resultado = await bot.almacen.inscribir(sesion_id, persona.id, ahora,
                                            servicios(bot).capacitacion.planes(ahora))
    assert resultado.exito
    return resultado.inscripcion_id


async def abrir_sesion(personal: Persona, sesion_id: int) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("📅 Sesiones próximas")
    await personal.pulsa_datos(f"pers:s:{sesion_id}")
    assert "Cupo" in personal.texto()


async def ana_y_john_en_una_sesion(bot: BotDePrueba, ana: Persona,
                                   john: Persona) -> tuple[int, int, int]:
    """Cupo 1: Ana (español) inscrita y John (inglés) en lista de espera."""
    await con_perfil(ana, "es_MX", nombre="Ana", municipio_clave="21114", sexo="mujer",
                     rango_edad="25_34", discapacidad="no", lengua_indigena="si")
    await con_perfil(john, "en", nombre="John", municipio_clave="21156")
    sesion_id = await nueva_sesion(bot, cupo=1)
    return sesion_id, await inscribir(bot, sesion_id, ana), await inscribir(bot, sesion_id, john)


# --- crear -----------------------------------------------------------------------------------

async def test_crear_sesion_presencial_con_errores_de_captura(personal: Persona, bot) -> None:
    respuestas = await personal.escribe("/personal")
    assert "Personal de la Secretaría" in textos(respuestas)
    await personal.pulsa("🆕 Nueva sesión")
    assert "¿De qué curso es?" in personal.texto()
    await personal.pulsa("Cooperativismo: lo básico")
    assert "¿Qué día es?" in personal.texto()
    for escrito, motivo in [("20/11/2026", "ya pasó"), ("31/02/2027", "no existe"),
                            ("mañana", "día/mes/año")]:
        await personal.escribe(escrito)
        assert motivo in personal.texto() and "¿Qué día es?" in personal.texto()
    await personal.escribe("25/11/2026")  # hoy: vale, pero la hora debe ser más tarde
    for escrito, motivo in [("25:00", "HH:MM"), ("10:30", "ya pasó")]:
        await personal.escribe(escrito)
        assert motivo in personal.texto() and "¿A qué hora" in personal.texto()
    await personal.escribe("/cancelar")
    assert "No se guardó nada" in personal.texto()

    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.escribe("30/11/2026")
    await personal.escribe("10:30")
    assert "¿Cuánto dura?" in personal.texto()
    await personal.escribe("5")
    assert "de 15 a 720" in personal.texto()
    await personal.escribe("150")
    await personal.pulsa("Presencial")
    await personal.escribe("Tehuakan")
    await personal.pulsa("Tehuacán")
    await personal.escribe("Casa de la <Cultura>")
    await personal.escribe("Av. Reforma 123, Centro")
    await personal.escribe("no es un enlace")
    assert "Ese enlace no sirve" in personal.texto()
    await personal.escribe("https://maps.example.org/?q=casa")
    for escrito in ("veinte", "0", "501"):
        await personal.escribe(escrito)
        assert "de 1 a 500" in personal.texto()
    await personal.escribe("20")
    resumen = personal.texto()
    assert "Revisa la sesión nueva" in resumen and "Casa de la <Cultura>" in resumen
    assert "Tehuacán" in resumen and "150 min" in resumen
    await personal.pulsa("💾 Guardar")
    assert "Sesión guardada" in personal.texto()

    [sesion] = await bot.almacen.sesiones_para_personal(INICIO)
    assert (sesion.curso_id, sesion.duracion_min, sesion.modalidad, sesion.cupo) == (
        "coop_basico", 150, "presencial", 20)
    assert sesion.inicio == local(bot, 30, 10, 30).replace(month=11)
    assert (sesion.municipio_clave, sesion.lugar, sesion.direccion, sesion.mapa_url) == (
        "21156", "Casa de la <Cultura>", "Av. Reforma 123, Centro",
        "https://maps.example.org/?q=casa")
    assert await bot.almacen.borrador(personal.id) is None


async def test_crear_sesion_en_linea_y_seguir_tras_un_reinicio(personal: Persona, bot) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.escribe("1/12/2026")
    await bot.reiniciar()  # lo capturado sigue en el borrador y el paso en la base
    await personal.escribe("16:00")
    await personal.pulsa("90 min")
    await personal.pulsa("En línea")
    assert "enlace de la sesión en línea" in personal.texto()
    await personal.envia("sticker")
    assert "Escríbelo con texto" in textos(personal.mensajes()[-2:])
    await personal.escribe("https://meet.example.org/xyz")
    await personal.escribe("30")
    await personal.pulsa("💾 Guardar")
    [sesion] = await bot.almacen.sesiones_para_personal(INICIO)
    assert (sesion.modalidad, sesion.enlace, sesion.lugar, sesion.duracion_min) == (
        "en_linea", "https://meet.example.org/xyz", None, 90)
    assert sesion.inicio == local(bot, 1, 16)


# --- corregir y cupo -------------------------------------------------------------------------

async def test_corregir_lugar_y_ampliar_cupo_sube_a_quien_espera(
        personal: Persona, ana: Persona, john: Persona, bot) -> None:
    sesion_id, _ana, insc_john = await ana_y_john_en_una_sesion(bot, ana, john)
    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("✏️ Corregir datos")
    await personal.pulsa("Lugar")
    await personal.escribe("Biblioteca Palafoxiana")
    assert "Dato corregido" in personal.texto()
    assert (await bot.almacen.sesion(sesion_id)).lugar == "Biblioteca Palafoxiana"

    await personal.pulsa("✏️ Corregir datos")
    await personal.pulsa("Cupo")
    await personal.escribe("1000")
    assert "de 1 a 500" in personal.texto()
    await personal.escribe("3")
    assert "1 persona pasó de la lista de espera" in personal.texto()
    sesion = await bot.almacen.sesion(sesion_id)
    assert (sesion.cupo, sesion.inscritas, sesion.en_espera) == (3, 2, 0)
    assert [r.estado for r in await bot.almacen.recordatorios_de_inscripcion(insc_john)] == [
        "pendiente", "pendiente"]
    await servicios(bot).despachador.vaciar(10)
    aviso = await bot.almacen.envio(f"ascenso:{insc_john}")
    assert (aviso.prioridad, aviso.estado) == (0, "enviado")
    assert aviso.message_id == john.ultimo().message_id

    await personal.pulsa("✏️ Corregir datos")
    await personal.pulsa("Cupo")
    await personal.escribe("1")
    assert "Ya hay 2 personas inscritas" in personal.texto()
    await personal.escribe("/cancelar")
    assert (await bot.almacen.sesion(sesion_id)).cupo == 3


# --- cambiar de fecha y cancelar -------------------------------------------------------------

async def test_cambiar_fecha_avisa_a_cada_quien_en_su_idioma_y_mueve_recordatorios(
        personal: Persona, ana: Persona, john: Persona, bot) -> None:
    sesion_id, insc_ana, insc_john = await ana_y_john_en_una_sesion(bot, ana, john)
    antes = [r.debido_en for r in await bot.almacen.recordatorios_de_inscripcion(insc_ana)]
    assert antes == [local(bot, 1, 10), local(bot, 2, 9)]

    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("🕒 Cambiar fecha")
    await personal.escribe("2/12/2026")
    await personal.escribe("10:00")
    assert "misma fecha y hora" in personal.texto()
    await personal.escribe("9/12/2026")
    await personal.escribe("11:00")
    assert "Se avisará a 2 personas" in personal.texto()
    await personal.pulsa("✅ Sí, cambiar la fecha y avisar")
    assert "Fecha cambiada. Avisamos a 2 personas" in personal.texto()

    nuevo = local(bot, 9, 11)
    sesion = await bot.almacen.sesion(sesion_id)
    assert sesion.inicio == nuevo
    despues = await bot.almacen.recordatorios_de_inscripcion(insc_ana)
    assert [(r.debido_en, r.estado) for r in despues] == [
        (local(bot, 8, 11), "pendiente"), (local(bot, 9, 10), "pendiente")]
    assert await bot.almacen.recordatorios_de_inscripcion(insc_john) == []  # en espera

    await servicios(bot).despachador.vaciar(10)
    for persona, inscripcion, idioma, estado in [(ana, insc_ana, "es_MX", "inscrita"),
                                                 (john, insc_john, "en", "espera")]:
        envio = await bot.almacen.envio(f"reprogramada:{sesion_id}:{sesion.inicio.isoformat()}:"
                                        f"{inscripcion}")
        assert envio is not None and envio.prioridad == 0 and envio.estado == "enviado"
        _ = servicios(bot).textos.para(idioma)
        esperado = avisos.fecha_cambiada(
            _, bot.config.zona_horaria, servicios(bot).contenido, sesion,
            Afectada(inscripcion, persona.id, estado, idioma)).texto
        assert persona.ultimo().texto == esperado
        assert fecha_y_hora(nuevo, _, bot.config.zona_horaria) in persona.texto()
    assert "miércoles 9 de diciembre" in ana.texto()
    assert "Wednesday, December 9" in john.texto()


async def test_cancelar_avisa_y_descarta_recordatorios(
        personal: Persona, ana: Persona, john: Persona, bot) -> None:
    sesion_id, insc_ana, insc_john = await ana_y_john_en_una_sesion(bot, ana, john)
    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("❌ Cancelar la sesión")
    assert "Se avisará a 2 personas" in personal.texto()
    await personal.pulsa("No, volver")
    assert (await bot.almacen.sesion(sesion_id)).estado == "programada"

    await personal.pulsa("❌ Cancelar la sesión")
    await personal.escribe("¿seguro?")  # texto donde van botones: repite la pregunta
    assert "¿Seguro que quieres cancelar" in personal.texto()
    await personal.pulsa("❌ Sí, cancelar la sesión")
    assert "Sesión cancelada. Avisamos a 2 personas" in personal.texto()
    assert "❌ Cancelar la sesión" not in personal.botones()

    sesion = await bot.almacen.sesion(sesion_id)
    assert sesion.estado == "cancelada"
    assert {r.estado for r in await bot.almacen.recordatorios_de_inscripcion(insc_ana)} == {
        "descartado"}
    await servicios(bot).despachador.vaciar(10)
    for persona, inscripcion, idioma in [(ana, insc_ana, "es_MX"), (john, insc_john, "en")]:
        assert (await bot.almacen.envio(f"cancelada:{sesion_id}:{inscripcion}")).prioridad == 0
        _ = servicios(bot).textos.para(idioma)
        esperado = avisos.sesion_cancelada(
            _, bot.config.zona_horaria, servicios(bot).contenido, sesion,
            Afectada(inscripcion, persona.id, "inscrita", idioma)).texto
        assert persona.ultimo().texto == esperado
    # Una sesión cancelada ya no se cambia, ni con un botón viejo.
    await personal.pulsa_datos(f"pers:s:{sesion_id}:rep")
    assert "está cancelada" in personal.texto()


# --- lista, CSV, asistencia y código -----------------------------------------------------------

async def test_lista_y_csv(personal: Persona, ana: Persona, john: Persona, bot) -> None:
    await con_perfil(ana, "es_MX", nombre="=HYPERLINK(\"x\")", municipio_clave="21114",
                     sexo="mujer", rango_edad="25_34", discapacidad="no", lengua_indigena="si")
    await con_perfil(john, "en", nombre="John Peña", municipio_clave="21156")
    sesion_id = await nueva_sesion(bot, cupo=1)
    await inscribir(bot, sesion_id, ana)
    await inscribir(bot, sesion_id, john)
    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("👥 Lista")
    lista = personal.texto()
    assert "Inscritas (1 de 1)" in lista and "1. =HYPERLINK(\"x\") — Puebla" in lista
    assert "En lista de espera (1)" in lista and "1. John Peña — Tehuacán" in lista

    await personal.pulsa("📄 Lista en CSV")
    documento = personal.ultimo().documento
    assert documento["file_name"].endswith(".csv")
    datos: bytes = documento["contenido"]
    assert datos.startswith("\ufeff".encode())
    filas = list(csv.reader(io.StringIO(datos.decode("utf-8-sig"))))
    assert filas == [
        ["posición", "estado", "nombre", "municipio", "asistió"],
        ["1", "inscrita", "'=HYPERLINK(\"x\")", "Puebla", ""],
        ["1", "en espera", "John Peña", "Tehuacán", ""],
    ]
    # Ni el sexo ni la edad (solo cuentan en estadísticas sin nombres), ni los datos sensibles
    # (discapacidad, lengua indígena), van junto a un nombre.
    assert "Mujer" not in lista and "25 a 34" not in lista
    assert not {"Sí", "No", "si", "no"} & {c for fila in filas for c in fila}


async def test_asistencia_manda_la_encuesta_y_codigo(personal: Persona, ana: Persona,
                                                      john: Persona, bot) -> None:
    await con_perfil(ana, "es_MX", nombre="Ana")
    await con_perfil(john, "en", nombre="John")
    sesion_id = await nueva_sesion(bot, cupo=5, inicio=local(bot, 1, 10))
    insc_ana = await inscribir(bot, sesion_id, ana)
    insc_john = await inscribir(bot, sesion_id, john)
    await abrir_sesion(personal, sesion_id)
    await personal.pulsa("🔑 Código")
    sesion = await bot.almacen.sesion(sesion_id)
    assert sesion.codigo_asistencia in personal.texto()
    await personal.pulsa("⬅️ Volver")

    await personal.pulsa("✅ Asistencia")
    assert personal.botones()[:2] == ["⬜ 1. Ana", "⬜ 2. John"]
    await personal.pulsa("⬜ 1. Ana")  # faltan días: aún no se pasa lista
    await personal.pulsa("💾 Guardar asistencia")
    assert personal.botones()[:2] == ["⬜ 1. Ana", "⬜ 2. John"]
    assert (await bot.almacen.inscripcion(insc_ana)).asistio is None
    assert (await bot.almacen.inscripcion(insc_john)).asistio is None

    bot.reloj.fijar(local(bot, 1, 9, 30))  # media hora antes de empezar
    await personal.pulsa("⬜ 1. Ana")
    await personal.pulsa("⬜ 2. John")
    await personal.pulsa("✅ 2. John")  # se equivocó: lo desmarca
    assert personal.botones()[:2] == ["✅ 1. Ana", "⬜ 2. John"]
    bot.reloj.fijar(local(bot, 1, 11))  # a media sesión: la encuesta sale al terminar
    await personal.pulsa("💾 Guardar asistencia")
    assert "Asistencia guardada: 1 persona asistió" in personal.texto()
    assert "al terminar la sesión" in personal.texto()
    assert await bot.almacen.envio(f"encuesta:{insc_ana}") is None

    bot.reloj.fijar(local(bot, 1, 12, 30))
    await personal.pulsa("✅ Asistencia")
    await personal.pulsa("💾 Guardar asistencia")
    assert "Encuestas enviadas: 1" in personal.texto()
    assert (await bot.almacen.inscripcion(insc_ana)).asistio is True
    assert (await bot.almacen.inscripcion(insc_john)).asistio is False
    assert await bot.almacen.envio(f"encuesta:{insc_ana}") is not None
    assert await bot.almacen.envio(f"encuesta:{insc_john}") is None


# --- solo el personal ---------------------------------------------------------------------------

async def test_quien_no_es_personal_no_puede_nada(personal: Persona, ana: Persona,
                                                  john: Persona, bot) -> None:
    sesion_id, insc_ana, _insc_john = await ana_y_john_en_una_sesion(bot, ana, john)
    antes = (await bot.almacen.sesion(sesion_id), await bot.almacen.lista_para_personal(
        sesion_id), await bot.almacen.recordatorios_de_inscripcion(insc_ana),
        await bot.almacen.todos_los_envios())

    respuestas = await ana.escribe("/personal")
    assert NEGATIVA in textos(respuestas)
    s = f"pers:s:{sesion_id}"
    forjados = [
        "pers:menu", "pers:sesiones", "pers:importar", "pers:nueva", s, f"{s}:lista",
        f"{s}:csv", f"{s}:editar", f"{s}:cod", f"{s}:asis:0", f"{s}:at:{insc_ana}:0",
        f"{s}:asisok", f"{s}:ed:cupo", f"{s}:ed:lugar", f"{s}:rep", f"{s}:can",
        "pers:f:curso:coop_basico", "pers:f:dur:60", "pers:f:mod:en_linea", "pers:f:mun:21114",
        "pers:f:mapa:no", "pers:f:guardar", "pers:f:fecha:si", "pers:f:cancelar:si",
        "pers:f:cancelar:no", "pers:f:salir", "pers:otra:cosa",
    ]
    for datos in forjados:
        respuestas = await ana.pulsa_datos(datos)
        assert NEGATIVA in textos(respuestas), datos
    # Tras «entrar» a cada flujo forjado, lo que escribe no cae en ningún flujo del personal.
    await ana.pulsa_datos(f"{s}:ed:cupo")
    await ana.escribe("100")
    assert "Cupo" not in ana.texto()
    assert all(m.documento is None for m in ana.mensajes())
    assert await bot.almacen.borrador(ana.id) is None
    for flujo in ("sesion_nueva", "sesion_correccion", "sesion_fecha", "sesion_cancelacion"):
        assert await bot.almacen.conversaciones(flujo) == {}
    despues = (await bot.almacen.sesion(sesion_id), await bot.almacen.lista_para_personal(
        sesion_id), await bot.almacen.recordatorios_de_inscripcion(insc_ana),
        await bot.almacen.todos_los_envios())
    assert despues == antes
    assert await bot.almacen.sesiones_para_personal(INICIO) == [antes[0]]


async def test_botones_viejos_del_personal_y_comandos_en_su_chat(personal: Persona,
                                                                 bot) -> None:
    await personal.escribe("/personal")
    await personal.pulsa_datos("pers:f:guardar")  # de un flujo que ya no está abierto
    assert "Ese botón ya no funciona" in personal.texto()
    await personal.pulsa_datos("pers:s:999999")
    assert "Esa sesión ya no existe" in personal.texto()
    comandos = bot.emulador.comandos({"type": "chat", "chat_id": ID_PERSONAL})
    assert "personal" in [c["command"] for c in comandos]
    assert "personal" not in [c["command"] for c in bot.emulador.comandos()]


@pytest.mark.parametrize("boton", ["📅 Sesiones próximas", "📥 Importar sesiones de un CSV"])
async def test_otro_boton_del_personal_termina_el_flujo(personal: Persona, bot,
                                                        boton: str) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("🆕 Nueva sesión")
    await personal.pulsa("Cooperativismo: lo básico")
    await personal.escribe("/personal")  # otro menú a media captura: el flujo se cierra
    await personal.pulsa(boton)
    assert await bot.almacen.borrador(personal.id) is None
    await personal.escribe("30/11/2026")  # ya no es la fecha de nada
    assert "¿A qué hora" not in personal.texto()
