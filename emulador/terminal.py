"""Conversación con el bot desde una terminal, sin token ni Telegram (modo local).

Muestra cada mensaje del bot en texto llano, numera los botones en línea y envía lo que se
escribe como si fuera una persona usuaria. Se lee la entrada sin bloquear el bucle de asyncio.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from emulador.modelo import NOMBRE_BOT, MensajeChat, UsuarioFicticio
from emulador.servidor import EmuladorBotAPI

INSTRUCCIONES = (
    "Escribe como si fueras una persona usuaria. Para pulsar un botón escribe su número. "
    "/salir para terminar."
)
ORDEN_SALIR = "/salir"
ESPERA_ENTREGA = 10.0
PRIMER_SILENCIO = 1.0
ESPERA_MAXIMA = 15.0

_Cola = asyncio.Queue[str | None]


async def conversar_en_terminal(
    emulador: EmuladorBotAPI,
    usuario: UsuarioFicticio,
    entrada: TextIO = sys.stdin,
    salida: TextIO = sys.stdout,
    *,
    calma: float = 1.1,
    carpeta_documentos: Path | None = None,
) -> None:
    """Conversa con el bot por `entrada`/`salida` hasta «/salir» o fin de la entrada.

    Tras cada línea espera a que el bot recoja el mensaje y deje de responder durante `calma`
    segundos, para que un número pulse el teclado que el bot acaba de mandar. Por omisión,
    algo más que el segundo que el bot deja entre dos mensajes al mismo chat: así una
    respuesta en dos mensajes (la bienvenida y el aviso) se ve completa. Los documentos
    del bot se guardan en `carpeta_documentos` (por omisión, una carpeta temporal nueva).
    """
    vista = _VistaTerminal(emulador, usuario, salida, carpeta_documentos)
    emulador.al_mensaje_del_bot(vista.mostrar)
    vista.escribir(f"Conversación local con {NOMBRE_BOT}.\n{INSTRUCCIONES}\n")
    cola: _Cola = asyncio.Queue()
    detener_lector = _iniciar_lector(entrada, cola)
    try:
        await _bucle_de_entrada(vista, cola, calma)
    finally:
        detener_lector()
        emulador.cancelar_suscripcion(vista.mostrar)
        vista.escribir("Fin de la conversación.\n")


async def _bucle_de_entrada(vista: _VistaTerminal, cola: _Cola, calma: float) -> None:
    while True:
        linea = await cola.get()
        if linea is None:
            return
        texto = linea.strip()
        if texto == ORDEN_SALIR:
            return
        if not texto:
            continue
        inicio = _llamadas_del_bot(vista.emulador)
        update_id = vista.actuar(texto)
        if update_id is not None:
            await _esperar_respuesta(vista, update_id, inicio, calma)
            vista.mostrar_avisos()


def _llamadas_del_bot(emulador: EmuladorBotAPI) -> int:
    """Peticiones del bot que no son sondeos (getUpdates)."""
    return sum(1 for peticion in emulador.peticiones if peticion.metodo != "getUpdates")


async def _esperar_respuesta(
    vista: _VistaTerminal, update_id: int, inicio: int, calma: float
) -> None:
    """Espera a que el bot recoja la actualización y luego calle durante `calma` segundos."""
    emulador = vista.emulador
    try:
        await emulador.esperar_entrega(update_id, ESPERA_ENTREGA)
    except TimeoutError:
        vista.escribir("(El bot todavía no ha recogido tu mensaje; ¿está en marcha?)\n")
        return
    bucle = asyncio.get_running_loop()
    silencio_hasta = bucle.time() + PRIMER_SILENCIO
    limite = bucle.time() + ESPERA_MAXIMA
    while bucle.time() < limite:
        antes = _llamadas_del_bot(emulador)
        await asyncio.sleep(calma)
        quieto = _llamadas_del_bot(emulador) == antes
        if quieto and (antes > inicio or bucle.time() >= silencio_hasta):
            return


class _VistaTerminal:
    """Pinta los mensajes del bot y traduce lo que se escribe en acciones de la persona."""

    def __init__(
        self,
        emulador: EmuladorBotAPI,
        usuario: UsuarioFicticio,
        salida: TextIO,
        carpeta: Path | None,
    ) -> None:
        self.emulador = emulador
        self.usuario = usuario
        self.salida = salida
        self.con_teclado: int | None = None
        self._carpeta = carpeta
        self._avisos_vistos = len(emulador.respuestas_callback)
        # Lo último que se pintó de cada mensaje (tipo y texto): al editarse, solo lo nuevo.
        self._pintados: dict[int, tuple[str, str]] = {}

    def escribir(self, texto: str) -> None:
        self.salida.write(texto)
        self.salida.flush()

    def mostrar(self, mensaje: MensajeChat) -> None:
        if mensaje.chat_id != self.usuario.id:
            return
        if mensaje.teclado:
            self.con_teclado = mensaje.message_id
        self.escribir("\n".join(self._lineas(mensaje)) + "\n")

    def mostrar_avisos(self) -> None:
        """Textos de answerCallbackQuery (el aviso emergente que vería la persona)."""
        nuevos = self.emulador.respuestas_callback[self._avisos_vistos :]
        self._avisos_vistos += len(nuevos)
        for respuesta in nuevos:
            if respuesta.get("text"):
                icono = "⚠️ " if respuesta.get("show_alert") else "💬"
                self.escribir(f"{icono} {respuesta['text']}\n")

    def _lineas(self, mensaje: MensajeChat) -> list[str]:
        """El mensaje entero; si es una edición que deja el texto igual (solo quita o cambia
        los botones, como al aceptar el aviso), una línea corta y los botones nuevos."""
        antes = self._pintados.get(mensaje.message_id)
        ahora = (mensaje.tipo, mensaje.texto_plano or "")
        self._pintados[mensaje.message_id] = ahora
        if mensaje.editado and antes == ahora:
            botones = _lineas_botones(mensaje)
            if not botones:
                return [f"🤖 {NOMBRE_BOT}: (botones quitados)"]
            return [f"🤖 {NOMBRE_BOT}: (botones cambiados)", *botones]
        marca = " (editado)" if mensaje.editado else ""
        lineas = [f"🤖 {NOMBRE_BOT}{marca}:"]
        lineas.extend(self._contenido(mensaje))
        lineas.extend(_lineas_botones(mensaje))
        teclado = (mensaje.teclado_respuesta or {}).get("keyboard")
        if teclado:
            opciones = [b if isinstance(b, str) else b.get("text", "") for f in teclado for b in f]
            lineas.append("⌨️  Respuestas sugeridas: " + " | ".join(opciones))
        return lineas

    def _contenido(self, mensaje: MensajeChat) -> list[str]:
        lineas: list[str] = []
        if mensaje.documento is not None:
            lineas.append(self._guardar_documento(mensaje.documento))
        elif mensaje.tipo == "foto":
            lineas.append("🖼️  (foto)")
        elif mensaje.tipo in ("ubicacion", "lugar"):
            lineas.append("📍 (ubicación)")
        if mensaje.texto_plano:
            lineas.append(mensaje.texto_plano)
        return lineas

    def _guardar_documento(self, documento: dict) -> str:
        if self._carpeta is None:
            self._carpeta = Path(tempfile.mkdtemp(prefix="coopera_puebla_"))
        self._carpeta.mkdir(parents=True, exist_ok=True)
        contenido: bytes = documento["contenido"]
        nombre = Path(documento["file_name"] or "documento").name
        destino = self._carpeta / nombre
        destino.write_bytes(contenido)
        return f"📎 {nombre} ({len(contenido)} bytes) guardado en {destino}"

    def actuar(self, texto: str) -> int | None:
        """Envía el texto o pulsa el botón con ese número; devuelve el update_id creado."""
        if texto.isdigit():
            return self._pulsar(int(texto))
        return self.emulador.escribir(self.usuario, texto)

    def _pulsar(self, numero: int) -> int | None:
        mensaje = self._mensaje_con_teclado()
        if mensaje is None:
            self.escribir("(No hay botones que pulsar; escribe un texto.)\n")
            return None
        botones = mensaje.botones()
        if not 1 <= numero <= len(botones):
            self.escribir(f"(No hay botón {numero}; elige entre 1 y {len(botones)}.)\n")
            return None
        boton = botones[numero - 1]
        if "callback_data" not in boton:
            self.escribir(f"(Ese botón abre {boton.get('url', 'otra aplicación')}.)\n")
            return None
        self.escribir(f"👉 Pulsas «{boton['text']}»\n")
        return self.emulador.pulsar(self.usuario, mensaje.message_id, boton["callback_data"])

    def _mensaje_con_teclado(self) -> MensajeChat | None:
        for mensaje in self.emulador.mensajes_del_bot(self.usuario.id):
            if mensaje.message_id == self.con_teclado and mensaje.teclado and not mensaje.borrado:
                return mensaje
        return None


def _lineas_botones(mensaje: MensajeChat) -> list[str]:
    lineas: list[str] = []
    numero = 0
    for fila in mensaje.teclado or []:
        partes = []
        for boton in fila:
            numero += 1
            enlace = f" ({boton['url']})" if "url" in boton else ""
            partes.append(f"[{numero}] {boton.get('text', '')}{enlace}")
        lineas.append("   " + "   ".join(partes))
    return lineas


# --------------------------------------------------------------------------------------------
# Lectura de la entrada sin bloquear el bucle
# --------------------------------------------------------------------------------------------


def _iniciar_lector(entrada: TextIO, cola: _Cola) -> Callable[[], None]:
    """Lee `entrada` línea a línea hacia `cola` (None al terminar); devuelve cómo pararlo."""
    bucle = asyncio.get_running_loop()
    descriptor = _descriptor(entrada)
    if descriptor is not None:
        try:
            return _lector_con_descriptor(bucle, descriptor, cola)
        except (OSError, ValueError, NotImplementedError):
            pass  # p. ej. un fichero normal redirigido: epoll no lo admite
    return _lector_con_hilo(bucle, entrada, cola)


def _descriptor(entrada: TextIO) -> int | None:
    try:
        return entrada.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _lector_con_descriptor(
    bucle: asyncio.AbstractEventLoop, descriptor: int, cola: _Cola
) -> Callable[[], None]:
    decodificador = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pendiente = [""]

    def leer() -> None:
        try:
            datos = os.read(descriptor, 65536)
        except BlockingIOError:
            return
        except OSError:
            datos = b""
        pendiente[0] += decodificador.decode(datos, final=not datos)
        *lineas, pendiente[0] = pendiente[0].split("\n")
        for linea in lineas:
            cola.put_nowait(linea)
        if not datos:
            bucle.remove_reader(descriptor)
            if pendiente[0]:
                cola.put_nowait(pendiente[0])
            cola.put_nowait(None)

    bucle.add_reader(descriptor, leer)
    return lambda: bucle.remove_reader(descriptor)


def _lector_con_hilo(
    bucle: asyncio.AbstractEventLoop, entrada: TextIO, cola: _Cola
) -> Callable[[], None]:
    def entregar(linea: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # el bucle ya se cerró
            bucle.call_soon_threadsafe(cola.put_nowait, linea)

    def leer() -> None:
        while True:
            linea = entrada.readline()
            if not linea:
                entregar(None)
                return
            entregar(linea.rstrip("\n"))

    threading.Thread(target=leer, name="lector-terminal", daemon=True).start()
    return lambda: None
