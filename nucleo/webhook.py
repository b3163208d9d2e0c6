"""Modo webhook: Telegram manda cada actualización por POST a un servidor del bot.

`ServidorWebhook` es un servidor aiohttp pequeño (aiohttp ya lo usa el emulador; aquí basta
una ruta). Por cada POST:

1. Revisa el encabezado `X-Telegram-Bot-Api-Secret-Token` contra el secreto configurado
   (comparación de tiempo constante): si falta o no coincide, 403 y no guarda nada.
2. Guarda la actualización en el buzón (`nucleo.entrada.Entrada.recibir`, el mismo que usa el
   sondeo) y la pone en la cola de PTB.
3. Solo entonces contesta 200: si el proceso muere antes de atenderla, está en el buzón y se
   atiende al arrancar; si no se pudo guardar, contesta 500 y Telegram la vuelve a mandar.

Detrás va un proxy con HTTPS (nginx, Caddy) que pasa la ruta de COOPERA_WEBHOOK_URL a
COOPERA_WEBHOOK_ESCUCHA. El secreto nunca se escribe en el registro.
"""

from __future__ import annotations

import hmac
import logging
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from nucleo.configuracion import ConfiguracionInvalida
from nucleo.entrada import Entrada

if TYPE_CHECKING:
    from aiohttp import web

registro = logging.getLogger("coopera.webhook")

ENCABEZADO_SECRETO = "X-Telegram-Bot-Api-Secret-Token"
# Telegram no manda actualizaciones de más de unos cientos de KiB; esto sobra.
TAMANO_MAXIMO = 1024 * 1024


class ServidorWebhook:
    """Escucha en `host:puerto` los POST de Telegram a la ruta de `url`."""

    def __init__(self, entrada: Entrada, *, url: str, escucha: tuple[str, int],
                 secreto: str) -> None:
        self._entrada = entrada
        self._ruta = urlsplit(url).path or "/"
        self._host, self._puerto = escucha
        self._secreto = secreto.encode("utf-8")
        self._runner: web.AppRunner | None = None
        self._web: ModuleType | None = None  # aiohttp.web, al iniciar
        self._rechazadas = 0

    @property
    def puerto(self) -> int:
        """El puerto en que escucha (el real, si se pidió el 0)."""
        if self._runner is not None and self._runner.addresses:
            return int(self._runner.addresses[0][1])
        return self._puerto

    async def iniciar(self) -> None:
        web = self._web = _aiohttp_web()
        aplicacion = web.Application(client_max_size=TAMANO_MAXIMO)
        aplicacion.router.add_post(self._ruta, self._recibir)
        self._runner = web.AppRunner(aplicacion, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._puerto).start()

    async def detener(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _recibir(self, peticion: web.Request) -> web.Response:
        dado = peticion.headers.get(ENCABEZADO_SECRETO, "").encode("utf-8", "replace")
        if not hmac.compare_digest(dado, self._secreto):
            self._rechazadas += 1
            if self._rechazadas == 1 or self._rechazadas % 100 == 0:
                # Sin el secreto ni lo recibido: solo de dónde vino.
                registro.warning("Webhook: rechacé %d %s sin el secreto correcto (la última "
                                 "desde %s).", self._rechazadas,
                                 "petición" if self._rechazadas == 1 else "peticiones",
                                 peticion.remote)
            return self._web.Response(status=403, text="Forbidden")
        cruda = await peticion.text()
        try:
            valida = await self._entrada.recibir(cruda)
        except Exception:
            registro.exception("Webhook: no pude guardar una actualización; contesto 500 "
                               "para que Telegram la repita.")
            return self._web.Response(status=500, text="Internal Server Error")
        if not valida:
            return self._web.Response(status=400, text="Bad Request")
        return self._web.Response(status=200, text="OK")


def _aiohttp_web() -> ModuleType:
    """aiohttp viene con el extra [webhook] (o [local]): sin él, el modo webhook no arranca y
    lo dice con una frase (salida 2, como cualquier configuración que no sirve)."""
    try:
        from aiohttp import web
    except ImportError as error:
        raise ConfiguracionInvalida(
            "El modo webhook (COOPERA_MODO=webhook) necesita aiohttp. Instálalo con: "
            'python -m pip install "coopera-puebla[webhook]" (o ".[webhook]" desde la '
            "carpeta del proyecto).") from error
    return web
