"""Las operaciones de capacitación que comparten pantallas, trabajos y la importación.

Cada operación guarda su cambio **y** los avisos a las personas afectadas en una sola
transacción (los avisos van a la cola de `nucleo/envios.py` con `encolar(..., bd=bd)`): un corte
a la mitad no deja un lugar liberado sin el aviso a quien lo recibe. Devuelve lo que pasó para
que la pantalla lo cuente; después rearma los recordatorios en memoria y despierta la cola.

Las pantallas (handlers/ y conversaciones/) llaman a estas operaciones; no combinan llamadas
al almacén por su cuenta.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import aiosqlite

from nucleo import avisos
from nucleo.almacen import Almacen
from nucleo.almacen.cursos import (
    Baja,
    Planes,
    Promocion,
    ResultadoAsistencia,
    ResultadoInscripcion,
    SesionNueva,
)
from nucleo.almacen.sesiones import Afectada, Avisar, CambioDeCupo
from nucleo.auditoria import anotar
from nucleo.avisos_fechas import avisos_de_fechas_nuevas
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.envios import Despachador, EnvioNuevo
from nucleo.horario import momentos_de_recordatorio
from nucleo.recordatorios import ProgramadorRecordatorios
from nucleo.reloj import Reloj
from nucleo.textos import Textos
from nucleo.vocabulario import Asistencia

registro = logging.getLogger("coopera.capacitacion")

# Una encuesta de una sesión que terminó hace más días ya no se encola, y la que no pudo salir
# (Telegram no respondía) vence ese mismo día: a los DIAS_PARA_PREGUNTAR del fin de la sesión.
DIAS_PARA_PREGUNTAR = 3


class Capacitacion:
    """Inscribirse, dejar el lugar, cambiar cupo, fecha o estado de una sesión, encuestas."""

    def __init__(self, config: Configuracion, almacen: Almacen, contenido: Contenido,
                 textos: Textos, reloj: Reloj, despachador: Despachador,
                 recordatorios: ProgramadorRecordatorios | None) -> None:
        self._config, self._almacen, self._contenido = config, almacen, contenido
        self._textos, self._reloj = textos, reloj
        self._despachador, self._recordatorios = despachador, recordatorios

    # --- la ciudadanía ---------------------------------------------------------------

    async def inscribir(self, sesion_id: int, telegram_id: int, *,
                        permitir_espera: bool) -> ResultadoInscripcion:
        """Un lugar si queda (con sus recordatorios) o, si se permite, la lista de espera."""
        ahora = self._reloj.ahora()
        resultado = await self._almacen.inscribir(sesion_id, telegram_id, ahora,
                                                  self.planes(ahora),
                                                  permitir_espera=permitir_espera)
        if resultado.exito:
            await self._rearmar()
        return resultado

    async def dejar_lugar(self, inscripcion_id: int, telegram_id: int) -> Baja:
        """Deja el lugar o sale de la espera; quien sigue en la fila sube y se le avisa."""
        ahora = self._reloj.ahora()
        baja = await self._almacen.cancelar_inscripcion(
            inscripcion_id, telegram_id, ahora, self.planes(ahora), self._avisar_ascensos)
        if baja.hecha:
            await self._rearmar()
        return baja

    async def soltar_lugares(self, telegram_id: int) -> int:
        """Antes de borrar los datos de una persona: deja cada lugar y espera que tenga en
        fechas que no han empezado, para que suba quien sigue en la fila (y se le avise).
        Devuelve cuántos dejó."""
        ahora = self._reloj.ahora()
        dejados = 0
        for inscripcion, sesion in await self._almacen.inscripciones_de(telegram_id, ahora):
            if sesion.inicio > ahora:
                dejados += (await self.dejar_lugar(inscripcion.id, telegram_id)).hecha
        return dejados

    async def cambiar_recordatorios(self, telegram_id: int, activos: bool) -> None:
        await self._almacen.fijar_recordatorios_activos(telegram_id, activos)
        await self._rearmar()

    async def registrar_asistencia_con_codigo(self, telegram_id: int,
                                              codigo: str) -> ResultadoAsistencia:
        """El código que dicta quien imparte; si la sesión ya terminó, sale la encuesta."""
        ahora = self._reloj.ahora()
        resultado = await self._almacen.registrar_asistencia_con_codigo(telegram_id, codigo,
                                                                        ahora)
        if resultado.codigo == Asistencia.REGISTRADA and resultado.sesion_id is not None:
            sesion = await self._almacen.sesion(resultado.sesion_id)
            if sesion is not None and sesion.fin <= ahora:
                await self.encolar_encuestas([resultado.inscripcion_id])
        return resultado

    # --- el personal --------------------------------------------------------------------

    async def crear_sesion(self, nueva: SesionNueva) -> int:
        """Guarda la sesión y, en la misma transacción, avisa a quien esperaba fechas de su
        curso («Avísame cuando haya fechas», nucleo/avisos_fechas.py)."""
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            sesion_id = await self._almacen.crear_sesion(nueva, ahora, bd=bd)
            await self._avisar_fechas(bd, [(sesion_id, nueva)])
        self._despachador.despertar()
        return sesion_id

    async def importar_sesiones(self, nuevas: Sequence[SesionNueva],
                                quien: int | None) -> tuple[list[int], int]:
        """Todas las sesiones juntas en una transacción, con su anotación en la bitácora y un
        aviso a cada persona que esperaba fechas de esos cursos (uno por persona, no uno por
        sesión). Devuelve (ids de las sesiones, cuántas personas recibirán el aviso)."""
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            ids = [await self._almacen.crear_sesion(nueva, ahora, bd=bd) for nueva in nuevas]
            await anotar(self._almacen, ahora, quien, "importacion", "csv",
                         f"{len(ids)} sesiones", bd=bd)
            avisadas = await self._avisar_fechas(bd, list(zip(ids, nuevas, strict=True)))
        self._despachador.despertar()
        return ids, avisadas

    async def cambiar_cupo(self, sesion_id: int, cupo: int) -> CambioDeCupo | None:
        """Nuevo cupo; si crece, suben de la espera en orden de llegada y se les avisa."""
        ahora = self._reloj.ahora()
        cambio = await self._almacen.cambiar_cupo(sesion_id, cupo, self.planes(ahora), ahora,
                                                  self._avisar_ascensos)
        if cambio is not None and cambio.promovidas:
            await self._rearmar()
        return cambio

    async def cambiar_fecha(self, sesion_id: int, inicio: datetime) -> list[Afectada] | None:
        """Otra fecha: recordatorios rehechos y un aviso a cada inscrita y en espera.
        None si la sesión no existe o está cancelada."""
        ahora = self._reloj.ahora()
        afectadas = await self._almacen.cambiar_fecha_sesion(
            sesion_id, inicio, self.planes(ahora), ahora,
            self._avisar_afectadas(sesion_id, avisos.fecha_cambiada))
        if afectadas is not None:
            await self._rearmar()
        return afectadas

    async def cancelar_sesion(self, sesion_id: int) -> list[Afectada] | None:
        """Cancela, quita sus recordatorios y avisa a cada inscrita y en espera.
        None si no existe o ya estaba cancelada."""
        afectadas = await self._almacen.cancelar_sesion(
            sesion_id, self._reloj.ahora(),
            self._avisar_afectadas(sesion_id, avisos.sesion_cancelada))
        if afectadas is not None:
            await self._rearmar()
        return afectadas

    async def cerrar_asistencia(self, sesion_id: int) -> tuple[list[int], int | None]:
        """Guarda la lista de asistencia. Devuelve (quiénes asistieron, encuestas encoladas);
        las encuestas solo salen si la sesión ya terminó (None si aún no: saldrán al final)."""
        ahora = self._reloj.ahora()
        asistentes = await self._almacen.cerrar_asistencia(sesion_id, ahora)
        sesion = await self._almacen.sesion(sesion_id)
        if sesion is None or ahora < sesion.fin:
            return asistentes, None
        return asistentes, await self.encolar_encuestas(asistentes)

    # --- encuestas ----------------------------------------------------------------------

    async def encolar_encuestas(self, inscripcion_ids: Sequence[int]) -> int:
        """La pregunta de satisfacción a cada inscripción con asistencia y sin respuesta.
        Devuelve cuántas entraron a la cola (no cuenta las que ya estaban)."""
        envios = [envio for inscripcion_id in dict.fromkeys(inscripcion_ids)
                  if (envio := await self._encuesta(inscripcion_id)) is not None]
        return await self._despachador.encolar(envios) if envios else 0

    async def encuestas_de_sesiones_terminadas(self) -> int:
        """Las encuestas de quienes asistieron a sesiones que ya terminaron (trabajo periódico:
        cubre a quien registró su asistencia con código durante la sesión)."""
        ahora = self._reloj.ahora()
        ids = await self._almacen.asistencias_sin_encuesta(
            ahora - timedelta(days=DIAS_PARA_PREGUNTAR), ahora)
        return await self.encolar_encuestas(ids)

    async def _encuesta(self, inscripcion_id: int) -> EnvioNuevo | None:
        almacen = self._almacen
        inscripcion = await almacen.inscripcion(inscripcion_id)
        if inscripcion is None or not inscripcion.asistio:
            return None
        persona = await almacen.persona(inscripcion.telegram_id)
        if persona is None or not persona.acepto or await almacen.encuesta(inscripcion_id):
            return None
        sesion = await almacen.sesion(inscripcion.sesion_id)
        _ = self._textos.para(persona.idioma)
        return avisos.pregunta_de_encuesta(
            _, self._config.zona_horaria, self._contenido, sesion, inscripcion.telegram_id,
            inscripcion_id, vence_en=sesion.fin + timedelta(days=DIAS_PARA_PREGUNTAR))

    # --- piezas --------------------------------------------------------------------------

    def planes(self, ahora: datetime) -> Planes:
        """Cuándo mandar los recordatorios de una sesión que empieza en `inicio`."""
        config = self._config

        def planes(inicio: datetime) -> list[tuple[int, datetime]]:
            return momentos_de_recordatorio(inicio, config.antelaciones_min, config.silencio,
                                            config.zona_horaria, ahora)

        return planes

    async def _avisar_ascensos(self, bd: aiosqlite.Connection,
                               promovidas: list[Promocion]) -> None:
        envios = []
        for ascenso in promovidas:
            sesion = await self._almacen.sesion(ascenso.sesion_id)  # misma conexión: ya cambió
            _ = self._textos.para(ascenso.idioma)
            envios.append(avisos.lugar_liberado(_, self._config.zona_horaria, self._contenido,
                                                sesion, ascenso))
        await self._despachador.encolar(envios, bd=bd)

    async def _avisar_fechas(self, bd: aiosqlite.Connection,
                             creadas: list[tuple[int, SesionNueva]]) -> int:
        envios = await avisos_de_fechas_nuevas(self._almacen, bd, self._textos,
                                               self._contenido, creadas)
        return await self._despachador.encolar(envios, bd=bd) if envios else 0

    def _avisar_afectadas(self, sesion_id: int, redactar: avisos.Redactar) -> Avisar:
        async def avisar(bd: aiosqlite.Connection, afectadas: list[Afectada]) -> None:
            sesion = await self._almacen.sesion(sesion_id)  # misma conexión: ya cambió
            envios = [redactar(self._textos.para(a.idioma), self._config.zona_horaria,
                               self._contenido, sesion, a) for a in afectadas]
            if envios:
                await self._despachador.encolar(envios, bd=bd)

        return avisar

    async def _rearmar(self) -> None:
        """Tras confirmar: el despertador de recordatorios y la cola miran otra vez."""
        self._despachador.despertar()
        if self._recordatorios is not None:
            await self._recordatorios.rearmar()
