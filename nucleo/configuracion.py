"""Configuración tipada, leída de variables de entorno (y de un archivo .env si existe).

El token se guarda envuelto en `Secreto`, que nunca se muestra completo en registros ni trazas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RAIZ = Path(__file__).resolve().parent.parent
PATRON_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
IDIOMAS_SOPORTADOS = ("es_MX", "en")


class ConfiguracionInvalida(Exception):
    """Un valor de configuración falta o no sirve. El mensaje dice qué hacer."""


class Secreto:
    """Un valor que no debe aparecer en registros: repr y str lo ocultan."""

    __slots__ = ("_valor",)

    def __init__(self, valor: str) -> None:
        self._valor = valor

    def valor(self) -> str:
        return self._valor

    def __repr__(self) -> str:
        return "Secreto('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Configuracion:
    token: Secreto
    url_base: str | None = None
    ruta_bd: Path = Path("datos/coopera.sqlite3")
    personal: frozenset[int] = frozenset()
    zona_horaria: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Mexico_City"))
    idioma_predeterminado: str = "es_MX"
    carpeta_contenido: Path = RAIZ / "contenido"

    @classmethod
    def desde_entorno(cls, entorno: Mapping[str, str]) -> Configuracion:
        """Lee la configuración; lanza ConfiguracionInvalida con un mensaje para personas."""
        return cls(
            token=Secreto(_token(entorno.get("TELEGRAM_BOT_TOKEN", ""))),
            url_base=entorno.get("TELEGRAM_BASE_URL") or None,
            ruta_bd=Path(entorno.get("COOPERA_BD") or "datos/coopera.sqlite3"),
            personal=_ids_personal(entorno.get("COOPERA_PERSONAL", "")),
            zona_horaria=_zona(entorno.get("COOPERA_ZONA_HORARIA") or "America/Mexico_City"),
            idioma_predeterminado=_idioma(entorno.get("COOPERA_IDIOMA") or "es_MX"),
            carpeta_contenido=Path(entorno.get("COOPERA_CONTENIDO") or RAIZ / "contenido"),
        )

    def es_personal(self, telegram_id: int | None) -> bool:
        return telegram_id is not None and telegram_id in self.personal


AYUDA_TOKEN = (
    "Para conectarse a Telegram, el bot necesita su token en la variable TELEGRAM_BOT_TOKEN "
    "(se pide a @BotFather con /newbot y tiene la forma 123456789:AAE...). "
    "Ponlo en el entorno o en un archivo .env junto a bot.py, por ejemplo: "
    "TELEGRAM_BOT_TOKEN=123456789:AAE... python bot.py . "
    "Si solo quieres probar el bot sin token, usa el modo local: python bot.py --local"
)


def _token(valor: str) -> str:
    valor = valor.strip()
    if not valor:
        raise ConfiguracionInvalida("Falta el token del bot. " + AYUDA_TOKEN)
    if not PATRON_TOKEN.match(valor):
        raise ConfiguracionInvalida("El token del bot no tiene la forma correcta. " + AYUDA_TOKEN)
    return valor


def _ids_personal(valor: str) -> frozenset[int]:
    partes = [p for p in re.split(r"[,\s]+", valor.strip()) if p]
    try:
        return frozenset(int(p) for p in partes)
    except ValueError:
        raise ConfiguracionInvalida(
            "COOPERA_PERSONAL debe ser una lista de ids numéricos de Telegram separados por "
            f"comas, por ejemplo 12345,67890. Se recibió: {valor!r}"
        ) from None


def _zona(nombre: str) -> ZoneInfo:
    try:
        return ZoneInfo(nombre)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfiguracionInvalida(
            f"COOPERA_ZONA_HORARIA={nombre!r} no es una zona horaria conocida. "
            "Usa por ejemplo America/Mexico_City."
        ) from None


def _idioma(valor: str) -> str:
    if valor not in IDIOMAS_SOPORTADOS:
        raise ConfiguracionInvalida(
            f"COOPERA_IDIOMA={valor!r} no está disponible. Opciones: "
            + ", ".join(IDIOMAS_SOPORTADOS)
        )
    return valor
