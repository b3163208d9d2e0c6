"""Recordatorios de las sesiones: salen a su hora, nunca se pierden en silencio.

La base es la fuente de verdad (tabla `recordatorios`). En memoria solo hay UN trabajo de la
JobQueue de PTB, armado para el `debido_en` más próximo; al despertar se atiende todo lo que ya
toca y se vuelve a armar. Nunca un trabajo por recordatorio: 100 000 trabajos de APScheduler
costarían segundos al arrancar y cien MiB de memoria.

Cada revisión, en una transacción: lo que ya toca pasa a la cola de envíos y queda `encolado`,
o queda `descartado` si ya no tiene sentido (la sesión empezó o se canceló, la persona dejó su
lugar, apagó los recordatorios o nos bloqueó). Encolar y marcar van juntos: o pasan los dos o
ninguno, así un recordatorio no se pierde ni se encola dos veces.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Protocol

from telegram.ext import ContextTypes, Job, JobQueue

from nucleo import avisos
from nucleo.almacen import Almacen
from nucleo.almacen.recordatorios import RecordatorioDebido
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.envios import Despachador, EnvioNuevo
from nucleo.reloj import Reloj
from nucleo.textos import Textos

registro = logging.getLogger("coopera.recordatorios")

LOTE = 1000  # recordatorios por transacción: la cola empieza a mandar sin esperar al resto
# Aunque nadie llame a reprogramar(), se mira la base al menos cada tanto.
REVISION_MAXIMA = timedelta(minutes=15)
REINTENTO_SI_FALLA = timedelta(minutes=1)
NOMBRE_TRABAJO = "recordatorios"


class FuenteDeRecordatorios(Protocol):
    """Otros recordatorios que despierta el mismo trabajo (las asambleas de las cooperativas,
    `nucleo/cooperativas.py`): cuándo toca el próximo y atender lo que ya toca."""

    async def proximo_recordatorio(self) -> datetime | None: ...

    async def atender_recordatorios(self, ahora: datetime) -> int: ...


class ProgramadorRecordatorios:
    def __init__(self, config: Configuracion, almacen: Almacen, reloj: Reloj,
                 despachador: Despachador, textos: Textos, contenido: Contenido,
                 job_queue: JobQueue) -> None:
        self._config, self._almacen, self._reloj = config, almacen, reloj
        self._despachador, self._textos = despachador, textos
        self._contenido = contenido
        self._job_queue = job_queue
        self._trabajo: Job | None = None
        self._candado = asyncio.Lock()
        self._activo = False
        self.proxima_revision: datetime | None = None
        self._fuentes: list[FuenteDeRecordatorios] = []

    def agregar_fuente(self, fuente: FuenteDeRecordatorios) -> None:
        """Antes de `iniciar`: otra fuente de recordatorios para el mismo despertador."""
        self._fuentes.append(fuente)

    # --- ciclo de vida ----------------------------------------------------------

    async def iniciar(self) -> None:
        """Pone al día lo que tocó mientras el bot estaba apagado y arma el despertador."""
        self._activo = True
        encolados = await self.revisar()
        if encolados:
            registro.info("Al arrancar se encolaron %d recordatorios atrasados.", encolados)

    async def detener(self) -> None:
        async with self._candado:
            self._activo = False
            self._quitar_trabajo()

    async def rearmar(self) -> None:
        """Llamar tras crear, mover o quitar recordatorios: despierta antes si hace falta."""
        async with self._candado:
            await self._armar()

    # --- la revisión --------------------------------------------------------------

    async def revisar(self) -> int:
        """Atiende todo lo que ya toca según el reloj; devuelve cuántos se encolaron."""
        async with self._candado:
            try:
                ahora = self._reloj.ahora()
                encolados = await self._atender_debidos(ahora)
                for fuente in self._fuentes:
                    encolados += await fuente.atender_recordatorios(ahora)
                return encolados
            finally:
                await self._armar()

    async def _atender_debidos(self, ahora: datetime) -> int:
        encolados = 0
        textos: dict[tuple[int, str | None], str] = {}  # el texto solo cambia por sesión e idioma
        while True:
            async with self._almacen.transaccion() as bd:
                debidos = await self._almacen.recordatorios_debidos(bd, ahora, LOTE)
                vigentes, vencidos = _separar(debidos, ahora)
                envios = [self._envio(r, textos, ahora) for r in vigentes]
                encolados += await self._despachador.encolar(envios, bd=bd)
                await self._almacen.marcar_recordatorios(bd, [r.id for r in vigentes],
                                                         "encolado")
                await self._almacen.marcar_recordatorios(bd, vencidos, "descartado")
            if len(debidos) < LOTE:
                return encolados

    def _envio(self, debido: RecordatorioDebido, textos: dict[tuple[int, str | None], str],
               ahora: datetime) -> EnvioNuevo:
        _ = self._textos.para(debido.idioma)
        llave = (debido.sesion_id, debido.idioma)  # en una revisión, «hoy» es el mismo día
        if llave not in textos:
            textos[llave] = avisos.texto_de_recordatorio(_, self._config.zona_horaria,
                                                         self._contenido, debido, ahora=ahora)
        return avisos.recordatorio(_, debido, textos[llave])

    # --- el despertador ----------------------------------------------------------

    async def _armar(self) -> None:
        """Un solo trabajo en la JobQueue, para el recordatorio pendiente más próximo."""
        if not self._activo:
            return
        ahora = self._reloj.ahora()
        try:
            siguientes = [await self._almacen.proximo_recordatorio(),
                          *[await fuente.proximo_recordatorio() for fuente in self._fuentes]]
            despertar = min([s for s in siguientes if s is not None] + [ahora + REVISION_MAXIMA])
        except Exception:  # sin base no hay cuándo: se vuelve a intentar pronto
            registro.exception("No se pudo leer el próximo recordatorio")
            despertar = ahora + REINTENTO_SI_FALLA
        # La espera se calcula con nuestro reloj (inyectable), no con el del sistema.
        espera = max((despertar - ahora).total_seconds(), 0.0)
        self._trabajo = self._job_queue.run_once(
            self._al_despertar, when=espera, name=NOMBRE_TRABAJO,
            job_kwargs={"id": NOMBRE_TRABAJO, "replace_existing": True,
                        # Sin esto APScheduler descarta en silencio lo que despierta tarde (>1 s).
                        "misfire_grace_time": None, "coalesce": True})
        self.proxima_revision = despertar

    def _quitar_trabajo(self) -> None:
        if self._trabajo is not None and not self._trabajo.removed:
            with contextlib.suppress(LookupError):  # ya corrió: APScheduler lo quitó solo
                self._trabajo.schedule_removal()
        self._trabajo = None
        self.proxima_revision = None

    async def _al_despertar(self, _contexto: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.revisar()
        except Exception:  # revisar() ya rearmó el despertador en su finally
            registro.exception("Falló la revisión de recordatorios")


def _separar(debidos: list[RecordatorioDebido], ahora: datetime
             ) -> tuple[list[RecordatorioDebido], list[int]]:
    """(los que se encolan, ids de los que se descartan). Si a una inscripción le tocan varios
    a la vez (el bot estuvo apagado), sale solo el más cercano a la sesión: uno basta."""
    ultimo: dict[int, RecordatorioDebido] = {}
    for r in debidos:
        if _sigue_en_pie(r, ahora):
            previo = ultimo.get(r.inscripcion_id)
            if previo is None or r.antelacion_min < previo.antelacion_min:
                ultimo[r.inscripcion_id] = r
    vigentes = list(ultimo.values())
    elegidos = {r.id for r in vigentes}
    return vigentes, [r.id for r in debidos if r.id not in elegidos]


def _sigue_en_pie(r: RecordatorioDebido, ahora: datetime) -> bool:
    """Si el recordatorio aún tiene sentido; si no, se descarta (no se pierde: queda anotado)."""
    return (r.inicio > ahora and r.estado_sesion == "programada"
            and r.estado_inscripcion == "inscrita" and r.quiere_recordatorios
            and r.acepto and not r.inalcanzable)
