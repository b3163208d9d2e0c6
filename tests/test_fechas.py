"""Las fechas como las dice la gente: «jueves 3 de diciembre, 10:00 a. m.», sin abreviaturas y
sin el año de este año; los recordatorios dicen «hoy» o «mañana», la hora y el municipio.

Ahora (conftest): miércoles 25 de noviembre de 2026, 12:00 en Puebla.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from nucleo.fechas import cuando_es, fecha_y_hora, hora
from nucleo.textos import Textos
from tests.conversador import INICIO, BotDePrueba, Persona
from tests.cursos_prueba import ATLIXCO, crear, inscrita

MEXICO = ZoneInfo("America/Mexico_City")
NBSP = "\u00a0"


def legible(texto: str) -> str:
    """Lo que ve la persona: el espacio irrompible se ve como un espacio."""
    return texto.replace(NBSP, " ")


def dias_hasta(dia: int, hora_local: int, mes: int = 12, anio: int = 2026) -> float:
    """Días desde INICIO hasta esa hora de Puebla (para `crear`)."""
    momento = datetime(anio, mes, dia, hora_local, tzinfo=MEXICO)
    return (momento - INICIO).total_seconds() / 86400


async def recordatorio_en(bot: BotDePrueba, momento: datetime) -> None:
    bot.reloj.fijar(momento)
    await bot.coopera.recordatorios.revisar()
    await bot.coopera.despachador.vaciar(10)


# --- la fecha en las pantallas ----------------------------------------------------------------

async def test_la_fecha_de_un_curso_se_lee_completa_y_sin_el_anio(ana: Persona,
                                                                  bot: BotDePrueba) -> None:
    await crear(bot, dias=dias_hasta(3, 10))  # jueves 3 de diciembre, 10:00 en Puebla
    await inscrita(ana, bot, 1)
    await ana.escribe("/cursos")
    await ana.pulsa_datos("cur:c:coop_basico:-:0")
    texto = legible(ana.texto())
    assert "jueves 3 de diciembre, 10:00 a. m. a 1:00 p. m." in texto
    assert "jue," not in texto and "dic" not in texto.replace("diciembre", "")
    assert "2026" not in texto
    assert legible(ana.botones()[0]) == "1. jueves 3 de diciembre, 10:00 a. m. · Puebla"
    # La hora nunca se parte en dos renglones: «10:00 a. m.» lleva espacios irrompibles.
    assert f"10:00{NBSP}a.{NBSP}m." in ana.texto()
    assert "\u202f" not in ana.texto()  # el espacio fino de babel no está en toda fuente
    await ana.escribe("/mis_cursos")
    assert "jueves 3 de diciembre, 10:00 a. m." in legible(ana.texto())


async def test_en_ingles_la_misma_fecha(john: Persona, bot: BotDePrueba) -> None:
    sesion = await crear(bot, dias=dias_hasta(3, 10))
    await john.escribe("/start")
    await john.pulsa("✅ Yes, I accept")
    await john.escribe("/cursos")
    await john.pulsa_datos(f"cur:s:{sesion}")
    assert "Thursday, December 3, 10:00 AM to 1:00 PM" in legible(john.texto())


async def test_una_fecha_de_otro_anio_lleva_su_anio(ana: Persona, bot: BotDePrueba) -> None:
    await crear(bot, dias=dias_hasta(7, 9, mes=1, anio=2027))
    await ana.escribe("/cursos")
    await ana.pulsa_datos("cur:c:coop_basico:-:0")
    assert "jueves 7 de enero de 2027, 9:00 a. m." in legible(ana.texto())


def test_el_anio_solo_lejos_o_en_otro_anio(textos_reales: Textos) -> None:
    _ = textos_reales.para("es_MX")
    enero = datetime(2026, 1, 5, 18, tzinfo=UTC)  # lunes 5 de enero de 2026, 12:00 en Puebla
    assert legible(fecha_y_hora(datetime(2026, 3, 2, 18, tzinfo=UTC), _, MEXICO, ahora=enero)) \
        == "lunes 2 de marzo, 12:00 p. m."
    # Del mismo año, pero a más de medio año: lleva el año.
    assert legible(fecha_y_hora(datetime(2026, 11, 30, 18, tzinfo=UTC), _, MEXICO,
                                ahora=enero)) == "lunes 30 de noviembre de 2026, 12:00 p. m."
    # El 31 de diciembre a medianoche en Puebla ya es 1 de enero en UTC: cuenta la de Puebla.
    fin_de_anio = datetime(2027, 1, 1, 5, tzinfo=UTC)  # 31 de diciembre, 11:00 p. m.
    assert legible(fecha_y_hora(fin_de_anio, _, MEXICO, ahora=INICIO)) \
        == "jueves 31 de diciembre, 11:00 p. m."
    assert legible(hora(datetime(2026, 1, 5, 6, tzinfo=UTC), _, MEXICO)) == "12:00 a. m."
    en = textos_reales.para("en")
    assert legible(fecha_y_hora(fin_de_anio, en, MEXICO, ahora=INICIO)) \
        == "Thursday, December 31, 11:00 PM"


def test_a_la_una_y_a_las_dos(textos_reales: Textos) -> None:
    _ = textos_reales.para("es_MX")
    una = datetime(2026, 11, 25, 19, tzinfo=UTC)  # 1:00 p. m. en Puebla
    assert legible(cuando_es(una, _, MEXICO, ahora=INICIO)) == "hoy a la 1:00 p. m."
    assert legible(cuando_es(una + timedelta(days=1, hours=1), _, MEXICO, ahora=INICIO)) \
        == "mañana a las 2:00 p. m."
    assert legible(cuando_es(una + timedelta(days=8), _, MEXICO, ahora=INICIO)) \
        == "el jueves 3 de diciembre a la 1:00 p. m."
    en = textos_reales.para("en")
    assert legible(cuando_es(una, en, MEXICO, ahora=INICIO)) == "today at 1:00 PM"


# --- los recordatorios: «hoy», «mañana», la hora y el municipio --------------------------------

async def test_recordatorio_dice_manana_y_hoy_con_la_hora_y_el_municipio(
        ana: Persona, bot: BotDePrueba) -> None:
    inicio = datetime(2026, 11, 26, 13, tzinfo=MEXICO)  # jueves, 1:00 p. m.
    sesion = await crear(bot, dias=(inicio - INICIO).total_seconds() / 86400, municipio=ATLIXCO)
    await inscrita(ana, bot, sesion)
    await recordatorio_en(bot, inicio - timedelta(days=1))
    texto = legible(ana.texto())
    assert texto.startswith("🔔 Recordatorio: tu curso es mañana a la 1:00 p. m. en Atlixco.")
    assert "jueves 26 de noviembre, 1:00 p. m. a 4:00 p. m." in texto  # y la tarjeta completa
    assert "<b>mañana a la 1:00" in ana.ultimo().texto  # lo importante, en negritas
    await recordatorio_en(bot, inicio - timedelta(hours=1))
    assert legible(ana.texto()).startswith(
        "🔔 Recordatorio: tu curso es hoy a la 1:00 p. m. en Atlixco.")


async def test_recordatorio_en_linea_dice_en_linea(ana: Persona, bot: BotDePrueba) -> None:
    inicio = datetime(2026, 11, 25, 17, tzinfo=MEXICO)  # hoy, 5:00 p. m.
    sesion = await crear(bot, dias=(inicio - INICIO).total_seconds() / 86400,
                         modalidad="en_linea")
    await inscrita(ana, bot, sesion)
    await recordatorio_en(bot, inicio - timedelta(hours=1))
    texto = legible(ana.texto())
    assert texto.startswith("🔔 Recordatorio: tu curso es hoy a las 5:00 p. m., en línea.")
    assert "En línea. Entra aquí: https://meet.example.com/coop-123" in texto
