"""Actualizaciones al azar de todo tipo contra el bot real (por el emulador), con hypothesis.

Cada ejemplo es un lote de actualizaciones que mandan varias personas (una del personal) en
sus chats privados, en un grupo, en un supergrupo y en un canal: texto, comandos (conocidos,
desconocidos y con @ del bot o de otro), botones reales y datos inventados (prefijos válidos
con ids al azar, «pers:» falsificados), fotos, notas de voz, documentos, stickers, ediciones,
publicaciones de canal y mensajes sin remitente. Un bot nuevo por lote.

Se comprueba que:
- el bot no registra ningún error (la guardia de `conftest.py`);
- cada mensaje en un chat privado recibe respuesta: un mensaje del bot después de él (o una
  reacción del bot en él), y
- en el canal el bot no escribe nada, y en los grupos solo «Escríbeme en privado».

Acotada para CI: `derandomize=True` (los mismos lotes cada vez) y sin reducir el ejemplo que
falla (cada ejecución arranca un bot; para reducirlo, quita `phases` de `settings`).
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from emulador import EmuladorBotAPI, UsuarioFicticio
from nucleo.configuracion import Configuracion, Secreto
from nucleo.contenido import Contenido
from nucleo.reloj import RelojFijo
from nucleo.textos import Textos
from tests.conversador import INICIO, BotDePrueba

BOT = "CooperaPueblaBot"
ENLACE = f"https://t.me/{BOT}?start=grupo"
# Ids nuevos en cada lote: los ConversationHandler son objetos de módulo y PTB conserva sus
# pasos abiertos de una Application a la siguiente en el mismo proceso (ver el informe).
LOTES = itertools.count(1)
COMANDOS = ("start", "menu", "ayuda", "idioma", "mis_datos", "cursos", "mis_cursos", "perfil",
            "orientacion", "privacidad", "cancelar", "personal", "asistencia", "bandeja",
            "cooperativa", "cerrar")
PREFIJOS = ("menu:inicio", "menu:datos", "menu:cursos", "menu:perfil", "menu:orientacion",
            "aviso:leer", "aviso:rechazo", "datos:borrar", "datos:borrar_si", "info:caminos",
            "cur:inicio", "cur:temas", "perfil:nombre:telegram", "idioma:en", "idioma:es_MX")
CON_IDS = ("cur:s:{n}", "cur:si:{n}", "cur:espera:{n}", "cur:lugares:{n}", "mc:ver:{n}",
           "mc:baja:{n}", "mc:baja_si:{n}", "mc:ics:{n}", "mc:lista:{n}", "rec:si:{n}",
           "rec:no:{n}", "perfil:mun:{n}", "or:{n}:{m}", "pers:s:{n}", "pers:s:{n}:csv",
           "pers:s:{n}:lista", "pers:s:{n}:editar", "pers:s:{n}:cod", "pers:s:{n}:asis:{m}",
           "pers:s:{n}:at:{m}:{n}", "pers:s:{n}:asisok", "pers:{m}", "tema:cerrar:{n}",
           "info:camino:{m}")
REALISTAS = ("Ana", "Puebla", "Tehuacán", "tehuacan", "Atlixco", "123456", "0", "sí", "no",
             "2/12/2026 10:00", "mañana a las 5", "Vender tamales", "🙂", "<b>hola</b>",
             "a" * 300, "=HYPERLINK(\"x\")")

NOMBRES = (("Ana", "es"), ("John", "en"), ("Tonatiuh", None), ("Lupita", "es-MX"),
           ("Pierre", "fr"), ("María José", "es"), ("Kim", "en-US"), ("Marta", "es-MX"))
PERSONAL = len(NOMBRES) - 1  # Marta es del personal
personas = st.integers(0, len(NOMBRES) - 1)
texto_libre = st.text(min_size=1, max_size=80).filter(lambda t: t.strip() != "")
texto = st.one_of(st.sampled_from(REALISTAS), texto_libre)
ids = st.one_of(st.integers(0, 5), st.integers(-3, 10**12))
comando = st.builds(
    lambda nombre, sufijo, resto: f"/{nombre}{sufijo}{resto}",
    st.one_of(st.sampled_from(COMANDOS), st.from_regex(r"[a-z0-9_]{1,32}", fullmatch=True)),
    st.sampled_from(("", "", f"@{BOT}", "@OtroBot")),
    st.one_of(st.just(""), st.builds(lambda t: " " + t, texto)),
)
datos_boton = st.one_of(
    st.sampled_from(PREFIJOS),
    st.builds(lambda patron, n, m: patron.format(n=n, m=m), st.sampled_from(CON_IDS), ids,
              st.one_of(ids, st.from_regex(r"[\w-]{1,12}", fullmatch=True))),
    st.text(min_size=1, max_size=64).filter(lambda t: len(t.encode()) <= 64),
)
accion = st.one_of(
    st.tuples(st.just("texto"), personas, texto),
    st.tuples(st.just("texto"), personas, comando),
    st.tuples(st.just("boton"), personas, st.integers(0, 20)),  # uno real del último teclado
    st.tuples(st.just("datos"), personas, datos_boton),
    st.tuples(st.just("archivo"), personas,
              st.sampled_from(("foto", "voz", "documento", "sticker"))),
    st.tuples(st.just("editar"), personas, st.one_of(texto, comando)),
    st.tuples(st.just("grupo"), personas, st.one_of(texto, comando), st.booleans()),
    st.tuples(st.just("datos_grupo"), personas, datos_boton),
    st.tuples(st.just("canal"), st.one_of(texto, comando), st.booleans()),
    st.tuples(st.just("sin_remitente"), personas, texto, st.booleans()),
)
# Más peso a lo que hace la gente de verdad: escribir y pulsar en su chat.
lote = st.lists(st.one_of(accion, st.tuples(st.just("texto"), personas, texto),
                          st.tuples(st.just("boton"), personas, st.integers(0, 20))),
                min_size=150, max_size=250)


@dataclass
class Pendiente:
    """Un mensaje privado que espera respuesta: chat y message_id."""

    chat_id: int
    message_id: int


class Lote:
    """Corre un lote contra un bot nuevo, por rondas: a lo más una actualización por chat en
    cada ronda (los chats, a la vez), así lo que llega a un chat después de un mensaje es su
    respuesta."""

    def __init__(self, bot: BotDePrueba, personas: tuple[UsuarioFicticio, ...]) -> None:
        self.bot, self.emu, self.personas = bot, bot.emulador, personas
        self.grupo = self.emu.crear_grupo(titulo="Vecinas", tipo="group", miembros=personas)
        self.supergrupo = self.emu.crear_grupo(titulo="Cooperativa", miembros=personas)
        self.canal = self.emu.crear_grupo(titulo="Noticias", tipo="channel")
        self.pendientes: list[Pendiente] = []
        self.sin_respuesta: list[str] = []

    def hacer(self, paso: tuple) -> tuple[int | None, int | None]:
        """Manda la actualización del paso: (chat, update_id), o (None, None) si no aplica."""
        tipo, *args = paso
        emu = self.emu
        if tipo == "canal":
            texto_canal, editar = args
            if editar and emu.mensajes(self.canal.id):
                viejo = emu.mensajes(self.canal.id)[-1].message_id
                return self.canal.id, emu.editar(None, viejo, texto_canal, chat_id=self.canal.id)
            return self.canal.id, emu.publicar_en_canal(self.canal.id, texto_canal)
        usuario = self.personas[args[0]]
        if tipo == "texto":
            return usuario.id, self._privado(emu.escribir(usuario, args[1]), usuario.id)
        if tipo == "archivo":
            enviar = {"foto": emu.enviar_foto, "voz": emu.enviar_voz,
                      "documento": emu.enviar_documento, "sticker": emu.enviar_sticker}
            return usuario.id, self._privado(enviar[args[1]](usuario), usuario.id)
        if tipo == "boton":
            return self._boton_real(usuario, args[1])
        if tipo == "datos":
            ultimo = emu.ultimo_del_bot(usuario.id)
            if ultimo is None:
                return None, None
            return usuario.id, emu.pulsar(usuario, ultimo.message_id, args[1])
        if tipo == "editar":
            suyos = [m for m in emu.mensajes(usuario.id)
                     if m.remitente_id == usuario.id and m.tipo == "texto" and not m.borrado]
            if not suyos:
                return None, None
            return usuario.id, emu.editar(usuario, suyos[-1].message_id, args[1])
        if tipo == "grupo":
            grupo = self.grupo if args[2] else self.supergrupo
            return grupo.id, emu.escribir_en_grupo(grupo.id, usuario, args[1])
        if tipo == "datos_grupo":
            mensajes = emu.mensajes(self.supergrupo.id)
            if not mensajes:
                return None, None
            return self.supergrupo.id, emu.pulsar(usuario, mensajes[-1].message_id, args[1],
                                                  chat_id=self.supergrupo.id)
        if tipo == "sin_remitente":
            if args[2] or usuario.id not in self._chats_privados():
                return self.grupo.id, emu.escribir_sin_remitente(self.grupo.id, args[1])
            return usuario.id, emu.escribir_sin_remitente(usuario.id, args[1])
        raise AssertionError(f"paso desconocido {paso!r}")

    def _chats_privados(self) -> set[int]:
        return {u.id for u in self.personas if self.emu.mensajes(u.id)}

    def _privado(self, update_id: int, chat_id: int) -> int:
        mensaje = [m for m in self.emu.mensajes(chat_id) if not m.de_bot][-1]
        self.pendientes.append(Pendiente(chat_id, mensaje.message_id))
        return update_id

    def _boton_real(self, usuario: UsuarioFicticio, indice: int) -> tuple[int | None, int | None]:
        con_teclado = [m for m in self.emu.mensajes_del_bot(usuario.id)
                       if m.teclado and not m.borrado]
        if not con_teclado:
            return None, None
        mensaje = con_teclado[-1]
        botones = [b for b in mensaje.botones() if "callback_data" in b]
        if not botones:
            return None, None
        boton = botones[indice % len(botones)]
        return usuario.id, self.emu.pulsar(usuario, mensaje.message_id, boton["callback_data"])

    async def correr(self, pasos: list[tuple]) -> None:
        """La ronda r lleva el paso r de cada chat: en cada chat, el orden del lote."""
        por_chat: dict[int, list[tuple]] = {}
        for i, paso in enumerate(pasos):
            if paso[0] != "canal":  # hypothesis prefiere el 0: se reparte entre todas
                paso = (paso[0], (paso[1] + i) % len(self.personas), *paso[2:])
            por_chat.setdefault(_chat_del_paso(paso, self), []).append(paso)
        for r in range(max(map(len, por_chat.values()), default=0)):
            ronda: dict[int, int] = {}
            for lista in por_chat.values():
                if r < len(lista):
                    chat_id, update_id = self.hacer(lista[r])
                    if update_id is not None:
                        ronda[chat_id] = update_id
            await self._cerrar_ronda(ronda)
        # En el canal, nada; en los grupos, solo «Escríbeme en privado» con su enlace.
        assert self.emu.mensajes_del_bot(self.canal.id) == []
        for grupo in (self.grupo, self.supergrupo):
            for mensaje in self.emu.mensajes_del_bot(grupo.id):
                assert [b.get("url") for b in mensaje.botones()] == [ENLACE], mensaje.texto

    async def _cerrar_ronda(self, ronda: dict[int, int]) -> None:
        if ronda:
            await self.bot.atendido(max(ronda.values()))
        ronda.clear()
        for pendiente in self.pendientes:
            mensajes = self.emu.mensajes(pendiente.chat_id)
            contestado = any(m.de_bot and m.message_id > pendiente.message_id for m in mensajes)
            reaccion = any(m.message_id == pendiente.message_id and m.reaccion
                           for m in mensajes)
            if not (contestado or reaccion):
                mensaje = next(m for m in mensajes if m.message_id == pendiente.message_id)
                self.sin_respuesta.append(f"chat {pendiente.chat_id}: {mensaje.tipo} "
                                          f"{(mensaje.texto or '')[:60]!r}")
        self.pendientes.clear()


def _chat_del_paso(paso: tuple, lote_: Lote) -> int:
    """El chat al que irá el paso (para armar las rondas)."""
    tipo = paso[0]
    if tipo == "canal":
        return lote_.canal.id
    if tipo == "grupo":
        return lote_.grupo.id if paso[3] else lote_.supergrupo.id
    if tipo == "datos_grupo":
        return lote_.supergrupo.id
    if tipo == "sin_remitente":
        return lote_.grupo.id if paso[3] else lote_.personas[paso[1]].id
    return lote_.personas[paso[1]].id


async def _correr_lote(pasos: list[tuple], contenido: Contenido, textos: Textos) -> list[str]:
    base = 10_000 * next(LOTES)
    personas = tuple(UsuarioFicticio(base + i, first_name=nombre, language_code=idioma)
                     for i, (nombre, idioma) in enumerate(NOMBRES))
    with tempfile.TemporaryDirectory() as carpeta:
        async with EmuladorBotAPI() as emulador:
            config = Configuracion(
                token=Secreto(emulador.token), url_base=emulador.url_base,
                ruta_bd=Path(carpeta) / "coopera.sqlite3",
                personal=frozenset({personas[PERSONAL].id}),
                mensajes_por_segundo=0)
            bot = BotDePrueba(config, emulador, RelojFijo(INICIO), contenido=contenido,
                              textos=textos)
            await bot.iniciar()
            try:
                corrida = Lote(bot, personas)
                await corrida.correr(pasos)
                return corrida.sin_respuesta
            finally:
                await bot.detener()


ACTUALIZACIONES: list[int] = []  # cuántas se mandaron en cada lote (para el informe)


@settings(max_examples=14, deadline=None, derandomize=True, database=None,
          phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pasos=lote)
def test_actualizaciones_al_azar(pasos: list[tuple], contenido_real: Contenido,
                                 textos_reales: Textos) -> None:
    sin_respuesta = asyncio.run(_correr_lote(pasos, contenido_real, textos_reales))
    ACTUALIZACIONES.append(len(pasos))
    assert sin_respuesta == [], "mensajes privados sin respuesta:\n" + "\n".join(sin_respuesta)
