"""Ayudas para las pruebas de cursos: sesiones preparadas con el almacén (lo que haría el
personal) e inscripciones hechas como persona, pulsando los botones."""

from __future__ import annotations

from datetime import timedelta

from emulador import UsuarioFicticio
from tests.conversador import INICIO, BotDePrueba, Persona, dar_consentimiento

PUEBLA, TEHUACAN, ATLIXCO = "21114", "21156", "21019"


async def crear(bot: BotDePrueba, curso: str = "coop_basico", *, dias: float = 2,
                cupo: int = 10, modalidad: str = "presencial", municipio: str | None = PUEBLA,
                **extra: str) -> int:
    """Una sesión del curso que empieza `dias` después de INICIO; devuelve su id."""
    from nucleo.almacen.cursos import SesionNueva  # aquí: si se mueve, solo fallan sus pruebas

    if modalidad == "presencial":
        extra = {"lugar": "Casa de Cultura", "direccion": "Av. 5 de Mayo 10",
                 "mapa_url": "https://maps.example.com/?q=casa", **extra}
    else:
        municipio = None
        extra = {"enlace": "https://meet.example.com/coop-123", **extra}
    nueva = SesionNueva(curso, INICIO + timedelta(days=dias), 180, modalidad, cupo,
                        municipio_clave=municipio, **extra)
    return await bot.almacen.crear_sesion(nueva, bot.reloj.ahora())


def persona(bot: BotDePrueba, telegram_id: int, nombre: str) -> Persona:
    return bot.persona(UsuarioFicticio(telegram_id, first_name=nombre, language_code="es"))


async def activas(bot: BotDePrueba, sesion_id: int) -> list[tuple[int, str]]:
    """(telegram_id, estado) de cada inscripción activa de la sesión, en orden."""
    return [(i.telegram_id, i.estado) for i in await bot.almacen.lista_de_sesion(sesion_id)]


async def inscrita(quien: Persona, bot: BotDePrueba, sesion_id: int) -> int:
    """Acepta el aviso y se inscribe por los botones; devuelve el id de la inscripción."""
    if await bot.almacen.persona(quien.id) is None:
        await dar_consentimiento(quien)
    await quien.escribe("/cursos")
    await quien.pulsa_datos(f"cur:s:{sesion_id}")
    await quien.pulsa("Sí, ")
    return (await bot.almacen.inscripcion_activa(sesion_id, quien.id)).id
