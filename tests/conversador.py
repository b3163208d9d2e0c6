"""Manejar al bot como lo haría una persona, sobre HTTP real contra el emulador.

Tras cada acción se espera a que el bot la haya atendido del todo: el emulador confirma que
PTB recogió la actualización (siguiente getUpdates) y luego se espera la cola de PTB.

Aquí viven también los datos y ayudas que comparten varias pruebas (ningún archivo de pruebas
importa de otro).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from aplicacion import Coopera
from emulador import EmuladorBotAPI, MensajeChat, UsuarioFicticio
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos

RAIZ = Path(__file__).resolve().parent.parent
CARPETA_CONTENIDO = RAIZ / "contenido"
IDIOMA_PREDETERMINADO = "es_MX"
# La hora de las pruebas: 2026-11-25 18:00 UTC, las 12:00 en Puebla.
INICIO = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
ID_PERSONAL = 999


class BotDePrueba:
    """El bot completo (`Coopera`) de una prueba. `contenido` y `textos` ya cargados (los de
    la sesión) se usan si la configuración apunta a la carpeta e idioma de siempre; si no, el
    bot carga los suyos como en producción."""

    def __init__(self, config: Configuracion, emulador: EmuladorBotAPI, reloj: RelojFijo, *,
                 contenido: Contenido | None = None, textos: Textos | None = None) -> None:
        self.config, self.emulador, self.reloj = config, emulador, reloj
        de_siempre = (config.carpeta_contenido.resolve() == CARPETA_CONTENIDO
                      and config.idioma_predeterminado == IDIOMA_PREDETERMINADO)
        self._contenido = contenido if de_siempre else None
        self._textos = textos if de_siempre else None
        self.coopera: Coopera | None = None

    async def iniciar(self) -> None:
        self.coopera = Coopera(self.config, self.reloj, contenido=self._contenido,
                               textos=self._textos)
        await self.coopera.iniciar()

    async def detener(self) -> None:
        if self.coopera is not None:
            await self.coopera.detener()
            self.coopera = None

    async def reiniciar(self) -> None:
        await self.detener()
        await self.iniciar()

    @property
    def almacen(self):
        return self.coopera.almacen

    @property
    def servicios(self):
        """Los servicios que ven los handlers (configuración, contenido, textos...)."""
        return self.coopera.aplicacion.bot_data["servicios"]

    def persona(self, usuario: UsuarioFicticio) -> Persona:
        return Persona(self, usuario)

    async def atendido(self, update_id: int) -> None:
        await self.emulador.esperar_entrega(update_id)
        await asyncio.wait_for(self.coopera.aplicacion.update_queue.join(), timeout=10)


class Persona:
    def __init__(self, bot: BotDePrueba, usuario: UsuarioFicticio) -> None:
        self.bot, self.usuario = bot, usuario
        self.emulador = bot.emulador

    @property
    def id(self) -> int:
        return self.usuario.id

    async def _accion(self, hacer: Callable[[], int]) -> list[MensajeChat]:
        antes = {m.message_id: (m.texto, _teclado(m)) for m in self.mensajes()}
        await self.bot.atendido(hacer())
        return [m for m in self.mensajes()
                if antes.get(m.message_id) != (m.texto, _teclado(m)) and not m.borrado]

    async def escribe(self, texto: str) -> list[MensajeChat]:
        return await self._accion(lambda: self.emulador.escribir(self.usuario, texto))

    async def pulsa(self, texto_boton: str, message_id: int | None = None) -> list[MensajeChat]:
        return await self._accion(
            lambda: self.emulador.pulsar_boton(self.usuario, texto_boton, message_id))

    async def pulsa_datos(self, datos: str, message_id: int | None = None) -> list[MensajeChat]:
        """Un botón con datos a mano: como un cliente modificado o un mensaje viejo."""
        destino = message_id or self.ultimo().message_id
        return await self._accion(lambda: self.emulador.pulsar(self.usuario, destino, datos))

    async def envia(self, tipo: str) -> list[MensajeChat]:
        enviar = {"sticker": self.emulador.enviar_sticker, "foto": self.emulador.enviar_foto,
                  "voz": self.emulador.enviar_voz, "documento": self.emulador.enviar_documento}
        return await self._accion(lambda: enviar[tipo](self.usuario))

    async def envia_documento(self, nombre: str, contenido: bytes,
                              **extra: object) -> list[MensajeChat]:
        """Un documento con nombre y contenido (`mime`, `tamano`: ver el emulador)."""
        return await self._accion(lambda: self.emulador.enviar_documento(
            self.usuario, nombre, contenido, **extra))

    def mensajes(self) -> list[MensajeChat]:
        return self.emulador.mensajes_del_bot(self.id)

    def ultimo(self) -> MensajeChat:
        mensaje = self.emulador.ultimo_del_bot(self.id)
        assert mensaje is not None, "el bot no ha escrito nada a esta persona"
        return mensaje

    def texto(self) -> str:
        return self.ultimo().texto_plano or ""

    def botones(self) -> list[str]:
        return [b["text"] for b in self.ultimo().botones()]


def _teclado(mensaje: MensajeChat) -> str:
    return repr(mensaje.teclado)


def textos(mensajes: list[MensajeChat]) -> str:
    return "\n---\n".join(m.texto_plano or "" for m in mensajes)


async def dar_consentimiento(persona: Persona) -> None:
    await persona.escribe("/start")
    await persona.pulsa("✅ Sí, acepto")


async def completar_perfil(persona: Persona, nombre: str = "Ana",
                           municipio: str = "Puebla") -> None:
    """Acepta el aviso y llena el perfil saltando lo opcional."""
    await dar_consentimiento(persona)
    await persona.escribe(nombre)
    await persona.escribe(municipio)
    for _ in range(2):
        await persona.pulsa("Saltar esta pregunta")
    await persona.pulsa("No, saltarlas")


async def esperar(condicion: Callable[[], object], plazo: float = 10.0) -> None:
    """Espera (sondeando cada 10 ms) a que se cumpla `condicion`; falla si no pasa en `plazo`.

    Es esperar un suceso, no dormir un rato: vuelve en cuanto la condición se cumple."""
    try:
        async with asyncio.timeout(plazo):
            while not condicion():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"la condición no se cumplió en {plazo} s") from None
