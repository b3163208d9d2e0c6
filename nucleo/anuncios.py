"""Los anuncios del personal: a quién van, cuándo salen y cómo van (/anuncio, /anuncios).

Un anuncio sale por la única vía en bloque (`nucleo/envios.py`): al iniciarse se escribe UNA
fila de `envios` por destinatario, de un jalón y en la misma transacción que el anuncio y su
anotación en la bitácora, antes de que salga el primer mensaje. Tras una caída, la cola sigue
donde iba.

Reglas:
- Nunca reciben un anuncio quien no aceptó el aviso de privacidad, quien pidió no recibirlos
  (/silenciar) ni quien nos bloqueó. Quien se silencia DESPUÉS de que se escribieron las filas
  no recibe lo que le faltaba: sus filas pendientes (o retenidas) se cancelan al silenciarse.
- Un envío incierto de un anuncio (el proceso murió o Telegram no contestó con el mensaje en
  camino) no se repite nunca: un anuncio doble es peor que uno que falta. Se cuenta en
  `Avance.inciertos` y en el informe final.
- El texto va tal como lo escribió el personal (HTML de Telegram), sin traducir.
- Pausar retiene las filas que no han salido (`retenido`); reanudar las devuelve a la cola
  (menos las de quien entretanto se silenció, retiró su consentimiento o nos bloqueó).
  Cancelar deja `cancelado` lo que no salió. Lo que ya iba en vuelo termina como sea; si la
  cola lo devuelve a `pendiente` (un reintento), la base lo retiene o lo cancela en la misma
  sentencia (disparador de la migración 0013), y también si la persona ya se silenció.
- Un anuncio programado se puede cambiar o cancelar hasta que empieza. Empieza con
  `iniciar_los_que_tocan` (un trabajo cada 30 s y una vez al arrancar, por si su hora llegó
  con el bot apagado).
- Cada acción del personal (crear, editar, cancelar, pausar, reanudar) se anota en la
  bitácora en la MISMA transacción que el cambio.
- Audiencias: ver `nucleo.vocabulario.TipoAudiencia`. CURSO cuenta inscripciones (inscrita o
  en espera) en sesiones no canceladas del curso; IDIOMA, el idioma en que el bot le habla (se
  guarda al aceptar el aviso y con /idioma; sin guardar, el predeterminado); RESULTADO, solo
  su orientación más reciente;
  REGIONES usa la columna `region` de contenido/municipios.csv (vacía hoy: llega a 0).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from nucleo.almacen import Almacen
from nucleo.almacen.anuncios import FilaAnuncio
from nucleo.auditoria import anotar
from nucleo.contenido import Contenido
from nucleo.envios import Despachador
from nucleo.reloj import Reloj
from nucleo.textos import IDIOMA_ORIGEN
from nucleo.vocabulario import EstadoAnuncio, MedioAnuncio, TipoAudiencia

registro = logging.getLogger("coopera.anuncios")

LARGO_TEXTO = 4096  # lo más que Telegram deja en un mensaje (el texto visible, sin etiquetas)
LARGO_PIE = 1024  # con foto o documento el texto va como pie

_ETIQUETA = re.compile(r"<[^>]*>")


def largo_visible(html: str) -> int:
    """Cuántos caracteres ve la persona (Telegram cuenta el texto ya sin etiquetas)."""
    return len(unescape(_ETIQUETA.sub("", html)))


@dataclass(frozen=True)
class Audiencia:
    tipo: TipoAudiencia
    valores: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tipo", TipoAudiencia(self.tipo))
        object.__setattr__(self, "valores", tuple(str(v) for v in self.valores))

    def a_json(self) -> str:
        return json.dumps({"tipo": str(self.tipo), "valores": list(self.valores)},
                          ensure_ascii=False)

    @classmethod
    def de_json(cls, texto: str) -> Audiencia:
        datos = json.loads(texto)
        return cls(TipoAudiencia(datos["tipo"]), tuple(datos.get("valores", ())))


@dataclass(frozen=True)
class Borrador:
    texto: str  # HTML de Telegram tal como lo verán (<= 4096; <= 1024 con un medio)
    audiencia: Audiencia
    medio_tipo: MedioAnuncio | None = None
    medio_id: str | None = None  # file_id de Telegram

    def revisar(self) -> None:
        """ValueError si Telegram no lo aceptaría (vacío, demasiado largo, medio a medias)."""
        if not self.texto.strip():
            raise ValueError("Un anuncio necesita texto")
        if (self.medio_tipo is None) != (self.medio_id is None):
            raise ValueError("El medio necesita su tipo y su file_id")
        tope = LARGO_PIE if self.medio_tipo is not None else LARGO_TEXTO
        if largo_visible(self.texto) > tope:
            raise ValueError(f"El texto pasa de {tope} caracteres")


@dataclass(frozen=True)
class Avance:
    anuncio_id: int
    estado: EstadoAnuncio
    total: int
    enviados: int
    fallidos: int
    inalcanzables: int
    inciertos: int
    pendientes: int  # pendiente + enviando
    retenidos: int
    cancelados: int
    vencidos: int
    iniciado_en: datetime | None
    terminado_en: datetime | None

    def por_segundo(self, ahora: datetime) -> float:
        """Entregados hasta ahora entre el tiempo que lleva (0 si no ha empezado)."""
        if self.iniciado_en is None:
            return 0.0
        fin = self.terminado_en or ahora
        segundos = (fin - self.iniciado_en).total_seconds()
        return self.enviados / segundos if segundos > 0 else 0.0

    def segundos_restantes(self, ahora: datetime) -> float | None:
        """Lo que falta a este ritmo; None si todavía no hay ritmo (o está en pausa)."""
        faltan = self.pendientes + self.retenidos
        if faltan == 0:
            return 0.0
        ritmo = self.por_segundo(ahora)
        if ritmo <= 0 or self.estado != EstadoAnuncio.ENVIANDO:
            return None
        return faltan / ritmo


@dataclass(frozen=True)
class Anuncio:
    id: int
    estado: EstadoAnuncio
    borrador: Borrador
    autor_id: int | None
    creado_en: datetime
    programado_para: datetime | None
    progreso_chat_id: int | None
    progreso_message_id: int | None


def _anuncio(fila: FilaAnuncio) -> Anuncio:
    borrador = Borrador(fila.texto, Audiencia.de_json(fila.audiencia),
                        MedioAnuncio(fila.medio_tipo) if fila.medio_tipo else None,
                        fila.medio_id)
    return Anuncio(fila.id, EstadoAnuncio(fila.estado), borrador, fila.autor_id,
                   fila.creado_en, fila.programado_para, fila.progreso_chat_id,
                   fila.progreso_message_id)


def _avance(fila: FilaAnuncio, cuentas: dict[str, int]) -> Avance:
    return Avance(
        anuncio_id=fila.id, estado=EstadoAnuncio(fila.estado), total=sum(cuentas.values()),
        enviados=cuentas["enviado"], fallidos=cuentas["fallido"],
        inalcanzables=cuentas["inalcanzable"], inciertos=cuentas["incierto"],
        pendientes=cuentas["pendiente"] + cuentas["enviando"], retenidos=cuentas["retenido"],
        cancelados=cuentas["cancelado"], vencidos=cuentas["vencido"],
        iniciado_en=fila.iniciado_en, terminado_en=fila.terminado_en)


class Anuncios:
    """Crear, programar, cambiar, pausar, reanudar y cancelar anuncios; cómo van; silenciar."""

    def __init__(self, almacen: Almacen, contenido: Contenido, reloj: Reloj,
                 despachador: Despachador | None, *,
                 idioma_predeterminado: str = IDIOMA_ORIGEN) -> None:
        self._almacen, self._contenido, self._reloj = almacen, contenido, reloj
        self._despachador = despachador
        self._idioma_predeterminado = idioma_predeterminado

    # --- a quién llega -------------------------------------------------------------------------

    def _filtro(self, audiencia: Audiencia) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """(tipo, valores, pasos del camino) para el almacén: las regiones se vuelven las
        claves de sus municipios."""
        tipo, valores = audiencia.tipo, audiencia.valores
        if tipo == TipoAudiencia.REGIONES:
            regiones = set(valores)
            valores = tuple(m.clave for m in self._contenido.municipios
                            if m.region and m.region in regiones)
            tipo = TipoAudiencia.MUNICIPIOS
        if tipo == TipoAudiencia.IDIOMA and self._idioma_predeterminado in valores:
            valores = (*valores, "")  # sin idioma guardado: le llega en el predeterminado
        pasos = tuple(p.id for p in self._contenido.cooperativa.pasos)
        return str(tipo), valores, pasos

    async def contar(self, audiencia: Audiencia) -> int:
        return await self._almacen.contar_destinatarios(*self._filtro(audiencia))

    async def destinatarios(self, audiencia: Audiencia) -> list[int]:
        """Los telegram_id a quienes llegaría hoy, en orden."""
        return await self._almacen.ids_destinatarios(*self._filtro(audiencia))

    # --- el personal ------------------------------------------------------------------------

    async def crear(self, borrador: Borrador, *, autor_id: int,
                    programado_para: datetime | None = None) -> int:
        """Sin fecha: empieza ya (anuncio, una fila por destinatario y bitácora, en una
        transacción) y despierta la cola. Con fecha (futura): queda programado."""
        borrador.revisar()
        ahora = self._reloj.ahora()
        if programado_para is not None and programado_para <= ahora:
            raise ValueError("La fecha de un anuncio programado debe ser futura")
        async with self._almacen.transaccion() as bd:
            anuncio_id = await self._almacen.insertar_anuncio(
                bd, autor_id=autor_id, texto=borrador.texto,
                medio_tipo=borrador.medio_tipo, medio_id=borrador.medio_id,
                audiencia=borrador.audiencia.a_json(), programado_para=programado_para,
                ahora=ahora)
            if programado_para is None:
                escritas = await self._almacen.iniciar_anuncio(
                    bd, anuncio_id, *self._filtro(borrador.audiencia), ahora)
                await anotar(self._almacen, ahora, autor_id, "anuncio", f"anuncio {anuncio_id}",
                             f"{escritas} destinatarios", bd=bd)
            else:
                await anotar(self._almacen, ahora, autor_id, "anuncio_programado",
                             f"anuncio {anuncio_id}", programado_para.isoformat(), bd=bd)
        self._despertar()
        return anuncio_id

    async def editar(self, anuncio_id: int, borrador: Borrador, *,
                     programado_para: datetime | None, quien: int) -> bool:
        """Solo mientras está programado. `programado_para` None: empieza ya."""
        borrador.revisar()
        ahora = self._reloj.ahora()
        if programado_para is not None and programado_para <= ahora:
            raise ValueError("La fecha de un anuncio programado debe ser futura")
        async with self._almacen.transaccion() as bd:
            cambio = await self._almacen.cambiar_anuncio_programado(
                bd, anuncio_id, texto=borrador.texto, medio_tipo=borrador.medio_tipo,
                medio_id=borrador.medio_id, audiencia=borrador.audiencia.a_json(),
                programado_para=programado_para, ahora=ahora)
            if not cambio:
                return False
            detalle = programado_para.isoformat() if programado_para else "ya"
            await anotar(self._almacen, ahora, quien, "anuncio_editado", f"anuncio {anuncio_id}",
                         detalle, bd=bd)
            if programado_para is None:
                await self._almacen.iniciar_anuncio(
                    bd, anuncio_id, *self._filtro(borrador.audiencia), ahora)
        self._despertar()
        return True

    async def cancelar(self, anuncio_id: int, *, quien: int) -> EstadoAnuncio | None:
        """Programado, enviando o en pausa → cancelado; lo que no salió queda `cancelado`.
        None si no existe o ya terminó (o ya estaba cancelado)."""
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.cambiar_estado_anuncio(
                    bd, anuncio_id, ("programado", "enviando", "pausado"), "cancelado", ahora):
                return None
            cancelados = await self._almacen.mover_filas_de_anuncio(
                bd, anuncio_id, ("pendiente", "retenido"), "cancelado")
            await anotar(self._almacen, ahora, quien, "anuncio_cancelado",
                         f"anuncio {anuncio_id}", f"{cancelados} sin enviar", bd=bd)
        return EstadoAnuncio.CANCELADO

    async def pausar(self, anuncio_id: int, *, quien: int) -> bool:
        """Enviando → pausado; lo pendiente queda retenido (lo que ya va en vuelo termina)."""
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.cambiar_estado_anuncio(
                    bd, anuncio_id, ("enviando",), "pausado", ahora):
                return False
            retenidos = await self._almacen.mover_filas_de_anuncio(
                bd, anuncio_id, ("pendiente",), "retenido")
            await anotar(self._almacen, ahora, quien, "anuncio_pausado",
                         f"anuncio {anuncio_id}", f"{retenidos} retenidos", bd=bd)
        return True

    async def reanudar(self, anuncio_id: int, *, quien: int) -> bool:
        """Pausado → enviando; lo retenido vuelve a la cola y la cola despierta."""
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.cambiar_estado_anuncio(
                    bd, anuncio_id, ("pausado",), "enviando", ahora):
                return False
            devueltos = await self._almacen.soltar_retenidos(bd, anuncio_id)
            await anotar(self._almacen, ahora, quien, "anuncio_reanudado",
                         f"anuncio {anuncio_id}", f"{devueltos} a la cola", bd=bd)
        self._despertar()
        return True

    async def iniciar_los_que_tocan(self) -> list[int]:
        """Los programados cuya hora llegó empiezan (cada uno en su transacción). Devuelve los
        ids que empezaron. (Una fila que la cola devuelve a `pendiente` después de pausar o
        cancelar su anuncio la retiene la base al instante: disparador de la migración 0013.)"""
        ahora = self._reloj.ahora()
        iniciados = []
        for fila in await self._almacen.anuncios_que_tocan(ahora):
            audiencia = Audiencia.de_json(fila.audiencia)
            async with self._almacen.transaccion() as bd:
                escritas = await self._almacen.iniciar_anuncio(
                    bd, fila.id, *self._filtro(audiencia), ahora)
            if escritas is not None:
                iniciados.append(fila.id)
                registro.info("Anuncio %d programado empezó: %d destinatarios", fila.id,
                              escritas)
        if iniciados:
            self._despertar()
        return iniciados

    # --- consultas ------------------------------------------------------------------------------

    async def obtener(self, anuncio_id: int) -> Anuncio | None:
        fila = await self._almacen.anuncio(anuncio_id)
        return _anuncio(fila) if fila else None

    async def avance(self, anuncio_id: int) -> Avance | None:
        fila = await self._almacen.anuncio(anuncio_id)
        if fila is None:
            return None
        cuentas = await self._almacen.cuentas_de_anuncios([anuncio_id])
        return _avance(fila, cuentas[anuncio_id])

    async def _con_avance(self, filas: list[FilaAnuncio]) -> list[tuple[Anuncio, Avance]]:
        cuentas = await self._almacen.cuentas_de_anuncios([f.id for f in filas])
        return [(_anuncio(f), _avance(f, cuentas[f.id])) for f in filas]

    async def listar(self, *, limite: int = 10,
                     antes_de: int | None = None) -> list[tuple[Anuncio, Avance]]:
        """Lo más nuevo primero; `antes_de` un id: la página siguiente."""
        return await self._con_avance(await self._almacen.anuncios(limite, antes_de))

    async def en_curso(self) -> list[tuple[Anuncio, Avance]]:
        """Enviando o en pausa. Uno que ya no tiene nada por salir sigue aquí (enviando)
        hasta que `terminar_si_acabo` lo cierra: esa es la señal para mandar el informe. También
        los terminados o cancelados cuyo informe final aún no se entrega (`informe_entregado`)."""
        filas = await self._almacen.anuncios_en_estado(("enviando", "pausado"))
        return await self._con_avance(filas + await self._almacen.anuncios_sin_informe())

    async def informe_entregado(self, anuncio_id: int) -> None:
        """El informe final ya le llegó a quien escribió el anuncio: no se manda otra vez."""
        await self._almacen.marcar_informado(anuncio_id, self._reloj.ahora())

    async def fijar_mensaje_de_avance(self, anuncio_id: int, chat_id: int,
                                      message_id: int) -> None:
        await self._almacen.fijar_progreso_anuncio(anuncio_id, chat_id, message_id)

    async def terminar_si_acabo(self, anuncio_id: int) -> bool:
        """Enviando y sin nada por salir → terminado. True solo la vez que cambia."""
        return await self._almacen.terminar_anuncio_si_acabo(anuncio_id, self._reloj.ahora())

    # --- la ciudadanía -----------------------------------------------------------------------

    async def silenciar(self, telegram_id: int, silenciar: bool) -> None:
        """Deja de recibir anuncios (lo que aún no le salía se cancela) o vuelve a recibirlos.
        Solo para quien aceptó el aviso de privacidad (sin consentimiento no recibe nada)."""
        await self._almacen.silenciar_persona(telegram_id,
                                              self._reloj.ahora() if silenciar else None)

    async def silenciada(self, telegram_id: int) -> bool:
        return await self._almacen.persona_silenciada(telegram_id)

    def _despertar(self) -> None:
        if self._despachador is not None:
            self._despachador.despertar()
