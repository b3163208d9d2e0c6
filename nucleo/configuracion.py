"""Configuración tipada, leída de variables de entorno (y de un archivo .env si existe).

El token se guarda envuelto en `Secreto`, que nunca se muestra completo en registros ni trazas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import contenido
from nucleo.horario import HorasDeSilencio
from nucleo.horario_atencion import HorarioAtencion

RAIZ = Path(__file__).resolve().parent.parent
# El contenido viaja como datos del paquete `contenido`: se encuentra igual desde el código
# fuente que instalado con pip (COOPERA_CONTENIDO lo reemplaza).
CARPETA_CONTENIDO = Path(contenido.__file__).resolve().parent
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
class ConfiguracionWebhook:
    """Modo webhook: la URL pública (https) que se da a Telegram, dónde escucha el bot
    (host, puerto; detrás de un proxy con HTTPS) y el secreto que Telegram repite en cada
    POST (X-Telegram-Bot-Api-Secret-Token)."""

    url: str
    escucha: tuple[str, int]
    secreto: Secreto


class RolesGuardados:
    """La copia en memoria de los roles dados desde Telegram (/roles, tabla `roles`). La llena
    el arranque y la reemplaza cada cambio de rol: `Configuracion.es_personal` la consulta
    sin ir a la base."""

    def __init__(self) -> None:
        self.personal: frozenset[int] = frozenset()
        self.administracion: frozenset[int] = frozenset()

    def fijar(self, roles: Mapping[int, str]) -> None:
        self.administracion = frozenset(i for i, r in roles.items() if r == "administracion")
        self.personal = frozenset(roles) - self.administracion


@dataclass(frozen=True)
class Configuracion:
    token: Secreto
    url_base: str | None = None
    ruta_bd: Path = Path("datos/coopera.sqlite3")
    personal: frozenset[int] = frozenset()
    # Administración (COOPERA_ADMINISTRACION): también es personal, y da y quita roles.
    administracion: frozenset[int] = frozenset()
    roles: RolesGuardados = field(default_factory=RolesGuardados, compare=False, repr=False)
    zona_horaria: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Mexico_City"))
    idioma_predeterminado: str = "es_MX"
    carpeta_contenido: Path = CARPETA_CONTENIDO
    antelaciones_min: tuple[int, ...] = (24 * 60, 60)
    silencio: HorasDeSilencio = field(default_factory=HorasDeSilencio)
    envios_por_segundo: float = 25.0  # tope propio de la cola en bloque (dentro del presupuesto)
    mensajes_por_segundo: float = 30.0  # respuestas; 0 apaga el ritmo (solo mediciones)
    # Tope (s) de la espera entre reintentos de la cola cuando Telegram no responde.
    envios_espera_maxima: float = 60.0
    # Asesoría: el supergrupo del personal con temas (uno por persona) y el horario en que se
    # contesta. Sin grupo, el personal contesta con /bandeja; sin horario, no se promete hora.
    grupo_asesoria: int | None = None
    horario_asesoria: HorarioAtencion | None = None
    # Tope (s) de la espera entre intentos de conectar con Telegram al arrancar.
    reintento_maximo: float = 60.0
    # Modo webhook (COOPERA_MODO=webhook); None: polling.
    webhook: ConfiguracionWebhook | None = None
    # Sembrar el catálogo de cursos de EJEMPLO (contenido/cursos.yaml) si la base no tiene
    # cursos: solo el modo local (bot.py --local) y las pruebas. Una instalación de verdad
    # empieza vacía y el personal crea sus cursos (nucleo/catalogo.py).
    cursos_de_ejemplo: bool = False

    @classmethod
    def desde_entorno(cls, entorno: Mapping[str, str]) -> Configuracion:
        """Lee la configuración; lanza ConfiguracionInvalida con un mensaje para personas."""
        return cls(
            token=Secreto(_token(entorno.get("TELEGRAM_BOT_TOKEN", ""))),
            url_base=entorno.get("TELEGRAM_BASE_URL") or None,
            ruta_bd=Path(entorno.get("COOPERA_BD") or "datos/coopera.sqlite3"),
            personal=_ids_personal(entorno.get("COOPERA_PERSONAL", "")),
            administracion=_ids_personal(entorno.get("COOPERA_ADMINISTRACION", ""),
                                         "COOPERA_ADMINISTRACION"),
            zona_horaria=_zona(entorno.get("COOPERA_ZONA_HORARIA") or "America/Mexico_City"),
            idioma_predeterminado=_idioma(entorno.get("COOPERA_IDIOMA") or "es_MX"),
            carpeta_contenido=Path(entorno.get("COOPERA_CONTENIDO") or CARPETA_CONTENIDO),
            antelaciones_min=_antelaciones(entorno.get("COOPERA_RECORDATORIOS") or "1440,60"),
            silencio=_silencio(entorno.get("COOPERA_SILENCIO") or "21:00-08:00"),
            envios_por_segundo=_envios_por_segundo(entorno),
            mensajes_por_segundo=_numero(entorno, "COOPERA_MENSAJES_POR_SEGUNDO", 30.0, 0, 1000),
            envios_espera_maxima=_numero(entorno, "COOPERA_ENVIOS_ESPERA_MAXIMA", 60.0, 1, 3600),
            grupo_asesoria=_grupo_asesoria(entorno.get("COOPERA_GRUPO_ASESORIA", "")),
            horario_asesoria=_horario_asesoria(entorno.get("COOPERA_HORARIO_ASESORIA", "")),
            reintento_maximo=_numero(entorno, "COOPERA_REINTENTO_MAXIMO", 60.0, 0.1, 3600),
            webhook=_webhook(entorno),
        )

    @property
    def modo(self) -> str:
        """Cómo llegan las actualizaciones: "polling" o "webhook"."""
        return "polling" if self.webhook is None else "webhook"

    def es_personal(self, telegram_id: int | None) -> bool:
        """La única comprobación de quién es personal: la configuración y los roles dados
        desde Telegram (administración incluida)."""
        return telegram_id is not None and (
            telegram_id in self.personal or telegram_id in self.roles.personal
            or self.es_administracion(telegram_id))

    def ids_personal(self) -> frozenset[int]:
        """Todo el personal de hoy: configuración, roles dados desde Telegram y administración
        (a quién avisar de algo que el personal debe atender)."""
        return (self.personal | self.administracion | self.roles.personal
                | self.roles.administracion)

    def es_administracion(self, telegram_id: int | None) -> bool:
        return telegram_id is not None and (
            telegram_id in self.administracion or telegram_id in self.roles.administracion)

    def rol_configurado(self, telegram_id: int) -> bool:
        """Los ids de la configuración no se quitan desde Telegram."""
        return telegram_id in self.personal or telegram_id in self.administracion


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


def _ids_personal(valor: str, nombre: str = "COOPERA_PERSONAL") -> frozenset[int]:
    partes = [p for p in re.split(r"[,\s]+", valor.strip()) if p]
    try:
        return frozenset(int(p) for p in partes)
    except ValueError:
        raise ConfiguracionInvalida(
            f"{nombre} debe ser una lista de ids numéricos de Telegram separados por "
            f"comas, por ejemplo 12345,67890. Se recibió: {valor!r}"
        ) from None


def _grupo_asesoria(valor: str) -> int | None:
    valor = valor.strip()
    if not valor:
        return None
    if not re.fullmatch(r"-100\d{5,}", valor):
        raise ConfiguracionInvalida(
            "COOPERA_GRUPO_ASESORIA debe ser el id del supergrupo del personal, un número que "
            "empieza con -100 (por ejemplo -1001234567890: es el número que sale en la "
            f"dirección al abrir el grupo en web.telegram.org). Se recibió: {valor!r}")
    return int(valor)


def _horario_asesoria(valor: str) -> HorarioAtencion | None:
    if not valor.strip():
        return None
    try:
        return HorarioAtencion.leer(valor)
    except ValueError as error:
        raise ConfiguracionInvalida(
            f"COOPERA_HORARIO_ASESORIA: {error}. Escribe días y horas en hora local, por "
            "ejemplo L-V 09:00-17:00, o varios tramos con «;»: L-V 09:00-15:00; S 10:00-13:00. "
            f"Se recibió: {valor!r}") from None


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


def _antelaciones(valor: str) -> tuple[int, ...]:
    try:
        minutos = tuple(sorted({int(p) for p in re.split(r"[,\s]+", valor.strip()) if p},
                               reverse=True))
    except ValueError:
        minutos = ()
    if not minutos or any(m <= 0 for m in minutos):
        raise ConfiguracionInvalida(
            "COOPERA_RECORDATORIOS debe ser una lista de minutos antes de cada sesión, "
            f"separados por comas (por ejemplo 1440,60). Se recibió: {valor!r}")
    return minutos


def _silencio(valor: str) -> HorasDeSilencio:
    partes = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", valor)
    try:
        h1, m1, h2, m2 = (int(p) for p in partes.groups())
        return HorasDeSilencio(time(h1, m1), time(h2, m2))
    except (AttributeError, ValueError):
        raise ConfiguracionInvalida(
            "COOPERA_SILENCIO debe tener la forma HH:MM-HH:MM en hora local "
            f"(por ejemplo 21:00-08:00). Se recibió: {valor!r}") from None


def _webhook(entorno: Mapping[str, str]) -> ConfiguracionWebhook | None:
    """COOPERA_MODO y, en modo webhook, COOPERA_WEBHOOK_URL, _ESCUCHA y _SECRETO. El secreto
    nunca sale en un mensaje."""
    modo = (entorno.get("COOPERA_MODO") or "polling").strip().lower()
    if modo == "polling":
        return None
    if modo != "webhook":
        raise ConfiguracionInvalida(
            f"COOPERA_MODO debe ser polling o webhook. Se recibió: {modo!r}")
    url = (entorno.get("COOPERA_WEBHOOK_URL") or "").strip()
    partes = urlsplit(url)
    if partes.scheme != "https" or not partes.hostname:
        raise ConfiguracionInvalida(
            "En modo webhook, COOPERA_WEBHOOK_URL debe ser la dirección pública https a la que "
            "Telegram manda los mensajes, por ejemplo https://bot.ejemplo.gob.mx/telegram "
            f"(Telegram solo acepta https). Se recibió: {url!r}")
    escucha = (entorno.get("COOPERA_WEBHOOK_ESCUCHA") or "127.0.0.1:8080").strip()
    host, _, puerto = escucha.rpartition(":")
    if not host or not puerto.isdigit() or not 0 < int(puerto) < 65536:
        raise ConfiguracionInvalida(
            "COOPERA_WEBHOOK_ESCUCHA debe tener la forma host:puerto, donde escucha el bot "
            f"detrás del proxy (por ejemplo 127.0.0.1:8080). Se recibió: {escucha!r}")
    secreto = entorno.get("COOPERA_WEBHOOK_SECRETO") or ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secreto):
        raise ConfiguracionInvalida(
            "En modo webhook, COOPERA_WEBHOOK_SECRETO es obligatorio: de 1 a 256 caracteres "
            "entre A-Z, a-z, 0-9, _ y - (Telegram lo manda en cada petición y el bot rechaza "
            "las que no lo traen). Genera uno con: python -c \"import secrets; "
            "print(secrets.token_urlsafe(32))\"")
    return ConfiguracionWebhook(url=url, escucha=(host.strip("[]"), int(puerto)),
                                secreto=Secreto(secreto))


def _envios_por_segundo(entorno: Mapping[str, str]) -> float:
    """El tope propio de la cola en bloque, dentro del presupuesto de todo el bot
    (COOPERA_MENSAJES_POR_SEGUNDO): por omisión, todo el presupuesto; nunca más que él."""
    total = _numero(entorno, "COOPERA_MENSAJES_POR_SEGUNDO", 30.0, 0, 1000) or 1000.0
    return _numero(entorno, "COOPERA_ENVIOS_POR_SEGUNDO", total, 1, total)


def _numero(entorno: Mapping[str, str], nombre: str, defecto: float, minimo: float,
            maximo: float) -> float:
    texto = entorno.get(nombre)
    if not texto:
        return defecto
    try:
        valor = float(texto)
    except ValueError:
        valor = float("nan")
    if not minimo <= valor <= maximo:
        raise ConfiguracionInvalida(f"{nombre} debe ser un número entre {minimo} y {maximo}. "
                                    f"Se recibió: {texto!r}")
    return valor
