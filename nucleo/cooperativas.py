"""Las operaciones de las cooperativas en formación (/cooperativa y el personal).

Cada operación revisa en el servidor quién la pide (que sea del grupo y que su papel se lo
permita), guarda su cambio **y** los avisos a los miembros en una sola transacción (los avisos
van a la cola de `nucleo/envios.py` con `encolar(..., bd=bd)`), cada aviso en el idioma de quien
lo recibe, y devuelve lo que pasó para que la pantalla lo cuente. Un botón inventado no cambia
nada: si quien pulsa no es del grupo, la operación dice NO_ES_MIEMBRO y no toca la base.

Los enlaces de invitación (`t.me/<bot>?start=coop_<token>`) llevan un token al azar; en la base
solo queda su SHA-256. Los recordatorios de asambleas los atiende el mismo despertador que los
de los cursos (`nucleo/recordatorios.py`): esta clase es una de sus fuentes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

import aiosqlite

from nucleo.almacen import Almacen
from nucleo.almacen.cooperativas import (
    Asamblea,
    AvancePaso,
    Cooperativa,
    EvidenciaNueva,
    Miembro,
    RecordatorioAsambleaDebido,
    Salida,
)
from nucleo.auditoria import anotar
from nucleo.configuracion import Configuracion
from nucleo.contenido import CaminoCooperativa, Contenido, PasoCamino
from nucleo.envios import Despachador, EnvioNuevo
from nucleo.fechas import fecha_y_hora
from nucleo.horario import momentos_de_recordatorio
from nucleo.recordatorios import ProgramadorRecordatorios
from nucleo.reloj import Reloj
from nucleo.textos import Textos, Traductor
from nucleo.vocabulario import EstadoAsamblea, EstadoPaso, Invitacion, RolMiembro

registro = logging.getLogger("coopera.cooperativas")

PREFIJO_INVITACION = "coop_"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,60}")
BYTES_TOKEN = 16  # 22 caracteres: imposible de adivinar
VIGENCIAS = (7, 30)  # días que puede durar un enlace (o sin vencimiento)
LOTE = 500
PRIORIDAD_AVISO = 1  # después de los avisos personales urgentes de un curso
PRIORIDAD_RECORDATORIO = 5

Redactar = Callable[[Traductor, Miembro], str]  # el texto de un aviso para un miembro
Botones = Callable[[Traductor], list[list[tuple[str, str]]]]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_valido(token: str) -> bool:
    """Que tenga la forma de un token nuestro (lo demás ni se busca en la base)."""
    return bool(_TOKEN.fullmatch(token))


class Resultado(StrEnum):
    """Lo que pasó con una operación sobre un grupo."""

    HECHO = "hecho"
    NO_ES_MIEMBRO = "no_es_miembro"  # quien la pide no es del grupo (o el grupo no existe)
    SIN_PERMISO = "sin_permiso"  # es del grupo, pero su papel no se lo permite
    BLOQUEADO = "bloqueado"  # la ley pide más personas socias antes de este paso
    NO_EXISTE = "no_existe"  # el paso, la persona o la asamblea no existen
    YA_ESTABA = "ya_estaba"  # ya estaba hecho (o marcado)
    MISMA_PERSONA = "misma_persona"  # quien marcó un paso no puede confirmarlo


@dataclass(frozen=True)
class EstadoDePaso:
    paso: PasoCamino
    estado: EstadoPaso
    avance: AvancePaso | None


@dataclass(frozen=True)
class Union:
    resultado: Invitacion
    cooperativa: Cooperativa | None


@dataclass(frozen=True)
class Creada:
    cooperativa_id: int
    token: str


class Cooperativas:
    """Crear, invitar, unirse, salir, el camino, las asambleas y lo del personal."""

    def __init__(self, config: Configuracion, almacen: Almacen, contenido: Contenido,
                 textos: Textos, reloj: Reloj, despachador: Despachador,
                 recordatorios: ProgramadorRecordatorios | None) -> None:
        self._config, self._almacen, self._contenido = config, almacen, contenido
        self._textos, self._reloj = textos, reloj
        self._despachador, self._recordatorios = despachador, recordatorios

    @property
    def camino(self) -> CaminoCooperativa:
        return self._contenido.cooperativa

    # --- consultas (con la comprobación de quién pregunta) --------------------------------

    async def de_miembro(self, cooperativa_id: int,
                         telegram_id: int) -> tuple[Cooperativa, Miembro] | None:
        """El grupo y el lugar de la persona en él; None si no es del grupo."""
        miembro = await self._almacen.miembro(cooperativa_id, telegram_id)
        if miembro is None:
            return None
        cooperativa = await self._almacen.cooperativa(cooperativa_id)
        return (cooperativa, miembro) if cooperativa is not None else None

    def minimo(self, cooperativa: Cooperativa) -> int:
        return self.camino.minimo_socios(cooperativa.clase)

    def estados(self, cooperativa: Cooperativa,
                avances: dict[str, AvancePaso]) -> list[EstadoDePaso]:
        """Cada paso del camino con su estado para este grupo."""
        completo = cooperativa.miembros >= self.minimo(cooperativa)
        estados = []
        for paso in self.camino.pasos:
            avance = avances.get(paso.id)
            if avance is not None and avance.confirmado:
                estado = EstadoPaso.HECHO
            elif avance is not None:
                estado = EstadoPaso.POR_CONFIRMAR
            elif paso.constitutivo and not completo:
                estado = EstadoPaso.BLOQUEADO
            else:
                estado = EstadoPaso.PENDIENTE
            estados.append(EstadoDePaso(paso, estado, avance))
        return estados

    async def camino_del_grupo(self, cooperativa: Cooperativa) -> list[EstadoDePaso]:
        return self.estados(cooperativa, await self._almacen.avances(cooperativa.id))

    # --- crear e invitar ---------------------------------------------------------------------

    async def crear(self, telegram_id: int, nombre_telegram: str | None, nombre: str,
                    actividad: str, clase: str, municipio_clave: str) -> Creada | None:
        """Un grupo nuevo con la persona como responsable y su primer enlace (sin
        vencimiento). None si la persona no aceptó el aviso de privacidad."""
        persona = await self._almacen.persona(telegram_id)
        if persona is None or not persona.acepto:
            return None
        ahora = self._reloj.ahora()
        token = secrets.token_urlsafe(BYTES_TOKEN)
        async with self._almacen.transaccion() as bd:
            cooperativa_id = await self._almacen.crear_cooperativa(
                bd, nombre, actividad, clase, municipio_clave, telegram_id, nombre_telegram,
                None, ahora)
            await self._almacen.crear_invitacion(bd, cooperativa_id, hash_token(token),
                                                 telegram_id, ahora, None)
        registro.info("Se creó el grupo %d.", cooperativa_id)
        return Creada(cooperativa_id, token)

    async def enlace_nuevo(self, cooperativa_id: int, telegram_id: int) -> str | None:
        """Un enlace más para compartir, con la vigencia del grupo. Cualquier miembro."""
        datos = await self.de_miembro(cooperativa_id, telegram_id)
        if datos is None:
            return None
        ahora = self._reloj.ahora()
        token = secrets.token_urlsafe(BYTES_TOKEN)
        dias = datos[0].vigencia_dias
        async with self._almacen.transaccion() as bd:
            await self._almacen.crear_invitacion(
                bd, cooperativa_id, hash_token(token), telegram_id, ahora,
                ahora + timedelta(days=dias) if dias else None)
        return token

    async def anular_enlaces(self, cooperativa_id: int, telegram_id: int) -> Resultado:
        """Ningún enlace del grupo sirve ya (responsable o delegada)."""
        datos = await self.de_miembro(cooperativa_id, telegram_id)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        if not datos[1].puede_administrar:
            return Resultado.SIN_PERMISO
        async with self._almacen.transaccion() as bd:
            await self._almacen.anular_invitaciones(bd, cooperativa_id, self._reloj.ahora())
        return Resultado.HECHO

    async def renovar_enlace(self, cooperativa_id: int, telegram_id: int,
                             dias: int | None) -> tuple[Resultado, str | None]:
        """Anula todos los enlaces y da uno nuevo; `dias` queda como vigencia del grupo
        (None: no vencen). Responsable o delegada."""
        if dias is not None and dias not in VIGENCIAS:
            return Resultado.NO_EXISTE, None
        datos = await self.de_miembro(cooperativa_id, telegram_id)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO, None
        if not datos[1].puede_administrar:
            return Resultado.SIN_PERMISO, None
        ahora = self._reloj.ahora()
        token = secrets.token_urlsafe(BYTES_TOKEN)
        async with self._almacen.transaccion() as bd:
            await self._almacen.anular_invitaciones(bd, cooperativa_id, ahora)
            await self._almacen.fijar_vigencia(bd, cooperativa_id, dias, ahora)
            await self._almacen.crear_invitacion(
                bd, cooperativa_id, hash_token(token), telegram_id, ahora,
                ahora + timedelta(days=dias) if dias else None)
        return Resultado.HECHO, token

    async def revisar_invitacion(self, token: str, telegram_id: int) -> Union:
        """Qué grupo abre el enlace y si todavía sirve (no cambia nada)."""
        if not token_valido(token):
            return Union(Invitacion.NO_EXISTE, None)
        invitacion = await self._almacen.invitacion_por_hash(hash_token(token))
        cooperativa = (await self._almacen.cooperativa(invitacion.cooperativa_id)
                       if invitacion is not None else None)
        if invitacion is None or cooperativa is None:
            return Union(Invitacion.NO_EXISTE, None)
        if invitacion.anulada_en is not None:
            return Union(Invitacion.ANULADA, cooperativa)
        if invitacion.vence_en is not None and invitacion.vence_en <= self._reloj.ahora():
            return Union(Invitacion.VENCIDA, cooperativa)
        if await self._almacen.miembro(cooperativa.id, telegram_id) is not None:
            return Union(Invitacion.YA_ES_MIEMBRO, cooperativa)
        return Union(Invitacion.VALIDA, cooperativa)

    async def unirse(self, token: str, telegram_id: int, nombre_telegram: str | None) -> Union:
        """Acepta la invitación: entra al grupo y se avisa a los demás miembros."""
        revision = await self.revisar_invitacion(token, telegram_id)
        if revision.resultado != Invitacion.VALIDA:
            return revision
        persona = await self._almacen.persona(telegram_id)
        if persona is None or not persona.acepto:
            return Union(Invitacion.SIN_PERMISO, revision.cooperativa)
        cooperativa = revision.cooperativa
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.agregar_miembro(bd, cooperativa.id, telegram_id,
                                                       nombre_telegram, self._reloj.ahora()):
                return Union(Invitacion.YA_ES_MIEMBRO, cooperativa)
            nueva = await self._almacen.miembro(cooperativa.id, telegram_id)
            await self._avisar(bd, cooperativa.id, "union", excepto=telegram_id,
                               redactar=lambda _, m: _(
                                   "👋 <b>{nombre}</b> se unió a «{grupo}». Ya son {n}.").format(
                                   nombre=_nombre(_, nueva), grupo=escape(cooperativa.nombre),
                                   n=cooperativa.miembros + 1))
        self._despachador.despertar()
        return Union(Invitacion.VALIDA, await self._almacen.cooperativa(cooperativa.id))

    # --- salir, quitar, papeles -------------------------------------------------------------

    async def salir(self, cooperativa_id: int, telegram_id: int) -> Salida | None:
        """La persona deja el grupo. Si era la responsable, la responsabilidad pasa a otra
        persona (se avisa). None si no era del grupo."""
        datos = await self.de_miembro(cooperativa_id, telegram_id)
        if datos is None:
            return None
        return await self._sacar(datos[0], datos[1], quien_saca=None)

    async def quitar(self, cooperativa_id: int, quien: int, a_quien: int) -> Resultado:
        """La responsable o una delegada saca a alguien. A la responsable no se le saca."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        cooperativa, yo = datos
        if not yo.puede_administrar:
            return Resultado.SIN_PERMISO
        otra = await self._almacen.miembro(cooperativa_id, a_quien)
        if otra is None or a_quien == quien:
            return Resultado.NO_EXISTE
        if otra.rol == RolMiembro.RESPONSABLE:
            return Resultado.SIN_PERMISO
        await self._sacar(cooperativa, otra, quien_saca=yo)
        return Resultado.HECHO

    async def _sacar(self, cooperativa: Cooperativa, miembro: Miembro,
                     quien_saca: Miembro | None) -> Salida:
        async with self._almacen.transaccion() as bd:
            salida = await self._almacen.quitar_miembro(bd, cooperativa.id, miembro.telegram_id)
            if salida.hecha and not salida.grupo_borrado:
                nueva = (await self._almacen.miembro(cooperativa.id, salida.nueva_responsable)
                         if salida.nueva_responsable else None)

                def redactar(_: Traductor, m: Miembro) -> str:
                    if quien_saca is None:
                        texto = _("🚪 <b>{nombre}</b> salió de «{grupo}».")
                    else:
                        texto = _("🚪 <b>{quien}</b> sacó a <b>{nombre}</b> de «{grupo}».")
                    texto = texto.format(nombre=_nombre(_, miembro),
                                         grupo=escape(cooperativa.nombre),
                                         quien=_nombre(_, quien_saca) if quien_saca else "")
                    if nueva is not None:
                        texto += "\n" + (_("Ahora tú eres la persona responsable del grupo.")
                                         if m.telegram_id == nueva.telegram_id else
                                         _("Ahora <b>{nombre}</b> es la persona responsable.")
                                         .format(nombre=_nombre(_, nueva)))
                    return texto

                await self._avisar(bd, cooperativa.id, "salida", redactar=redactar)
            if quien_saca is not None and salida.hecha:
                _ = self._textos.para(miembro.idioma)
                await self._despachador.encolar([EnvioNuevo(
                    miembro.telegram_id,
                    _("Ya no eres parte del grupo «{grupo}».").format(
                        grupo=escape(cooperativa.nombre)),
                    f"coop:quitada:{uuid.uuid4().hex}", prioridad=PRIORIDAD_AVISO)], bd=bd)
        self._despachador.despertar()
        return salida

    async def nombrar_delegada(self, cooperativa_id: int, quien: int, a_quien: int,
                               delegada: bool) -> Resultado:
        """Solo la responsable nombra (o quita) delegadas."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        if datos[1].rol != RolMiembro.RESPONSABLE:
            return Resultado.SIN_PERMISO
        rol = RolMiembro.DELEGADA if delegada else RolMiembro.SOCIA
        async with self._almacen.transaccion() as bd:
            hecho = await self._almacen.fijar_rol(bd, cooperativa_id, a_quien, rol)
        return Resultado.HECHO if hecho else Resultado.NO_EXISTE

    async def pasar_responsabilidad(self, cooperativa_id: int, quien: int,
                                    a_quien: int) -> Resultado:
        """La responsable le pasa la responsabilidad a otra persona (ella queda delegada)."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        cooperativa, yo = datos
        if yo.rol != RolMiembro.RESPONSABLE:
            return Resultado.SIN_PERMISO
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.pasar_responsabilidad_a(bd, cooperativa_id, quien,
                                                               a_quien):
                return Resultado.NO_EXISTE
            nueva = await self._almacen.miembro(cooperativa_id, a_quien)
            await self._avisar(bd, cooperativa_id, "responsable", redactar=lambda _, m: (
                _("Ahora tú eres la persona responsable de «{grupo}».")
                if m.telegram_id == a_quien else
                _("Ahora <b>{nombre}</b> es la persona responsable de «{grupo}».")).format(
                    nombre=_nombre(_, nueva), grupo=escape(cooperativa.nombre)))
        self._despachador.despertar()
        return Resultado.HECHO

    async def olvidar(self, telegram_id: int) -> None:
        """Antes de borrar los datos de la persona: sale de cada grupo (se avisa a los demás y,
        si era la responsable, la responsabilidad pasa a otra persona). El borrado hace lo
        mismo sin avisos si esto no llegó a correr (`soltar_cooperativas`)."""
        for cooperativa, _rol in await self._almacen.membresias(telegram_id):
            await self.salir(cooperativa.id, telegram_id)

    # --- el camino ----------------------------------------------------------------------------

    async def marcar(self, cooperativa_id: int, paso_id: str, quien: int) -> Resultado:
        """Marca un paso como hecho; otra persona del grupo lo confirma (se les avisa)."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        cooperativa, yo = datos
        paso = self.camino.paso(paso_id)
        if paso is None:
            return Resultado.NO_EXISTE
        if paso.constitutivo and cooperativa.miembros < self.minimo(cooperativa):
            return Resultado.BLOQUEADO
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.marcar_paso(bd, cooperativa_id, paso_id, quien,
                                                   self._reloj.ahora()):
                return Resultado.YA_ESTABA
            await self._avisar(
                bd, cooperativa_id, "marcado", excepto=quien,
                redactar=lambda _, m: _(
                    "🟡 <b>{nombre}</b> marcó como hecho el paso «{paso}» de «{grupo}». "
                    "¿Lo confirmas?").format(nombre=_nombre(_, yo), paso=escape(_(paso.titulo)),
                                             grupo=escape(cooperativa.nombre)),
                botones=lambda _: [[(_("✅ Confirmar"), f"coop:ok:{cooperativa_id}:{paso_id}")],
                                   [(_("Ver el paso"), f"coop:s:{cooperativa_id}:{paso_id}")]])
        self._despachador.despertar()
        return Resultado.HECHO

    async def confirmar(self, cooperativa_id: int, paso_id: str, quien: int) -> Resultado:
        """Otra persona confirma el paso: queda hecho y se avisa a TODO el grupo."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        cooperativa, _yo = datos
        paso = self.camino.paso(paso_id)
        avance = (await self._almacen.avances(cooperativa_id)).get(paso_id)
        if paso is None or avance is None:
            return Resultado.NO_EXISTE
        if avance.confirmado:
            return Resultado.YA_ESTABA
        if avance.marcado_por == quien:
            return Resultado.MISMA_PERSONA
        if paso.constitutivo and cooperativa.miembros < self.minimo(cooperativa):
            return Resultado.BLOQUEADO  # alguien salió desde que se marcó
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.confirmar_paso(bd, cooperativa_id, paso_id, quien,
                                                      self._reloj.ahora()):
                return Resultado.YA_ESTABA
            hechos = sum(1 for e in await self._estados_en(cooperativa)
                         if e.estado == EstadoPaso.HECHO)
            total = len(self.camino.pasos)
            await self._avisar(
                bd, cooperativa_id, "hecho",
                redactar=lambda _, m: _(
                    "✅ <b>Paso completado</b> en «{grupo}»: {paso}.\n"
                    "Llevan {hechos} de {total} pasos.").format(
                    grupo=escape(cooperativa.nombre), paso=escape(_(paso.titulo)),
                    hechos=hechos, total=total),
                botones=lambda _: [[(_("🧭 Ver el camino"), f"coop:p:{cooperativa_id}")]])
        self._despachador.despertar()
        return Resultado.HECHO

    async def _estados_en(self, cooperativa: Cooperativa) -> list[EstadoDePaso]:
        return self.estados(cooperativa, await self._almacen.avances(cooperativa.id))

    async def desmarcar(self, cooperativa_id: int, paso_id: str, quien: int) -> Resultado:
        """Quien lo marcó (o la responsable o una delegada) lo deshace antes de confirmarse."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        avance = (await self._almacen.avances(cooperativa_id)).get(paso_id)
        if avance is None or avance.confirmado:
            return Resultado.NO_EXISTE
        if avance.marcado_por != quien and not datos[1].puede_administrar:
            return Resultado.SIN_PERMISO
        async with self._almacen.transaccion() as bd:
            hecho = await self._almacen.desmarcar_paso(bd, cooperativa_id, paso_id)
        return Resultado.HECHO if hecho else Resultado.NO_EXISTE

    async def adjuntar(self, cooperativa_id: int, paso_id: str, quien: int,
                       evidencia: EvidenciaNueva) -> Resultado:
        """Una foto o documento como evidencia de un paso (se guarda su file_id)."""
        if await self.de_miembro(cooperativa_id, quien) is None:
            return Resultado.NO_ES_MIEMBRO
        if self.camino.paso(paso_id) is None:
            return Resultado.NO_EXISTE
        async with self._almacen.transaccion() as bd:
            await self._almacen.guardar_evidencia(bd, cooperativa_id, paso_id, quien, evidencia,
                                                  self._reloj.ahora())
        return Resultado.HECHO

    # --- asambleas ----------------------------------------------------------------------------

    async def programar_asamblea(self, cooperativa_id: int, quien: int, inicio: datetime,
                                 lugar: str, orden_del_dia: str) -> int | None:
        """Cualquier miembro convoca; se avisa a todo el grupo y se programan recordatorios."""
        datos = await self.de_miembro(cooperativa_id, quien)
        if datos is None:
            return None
        cooperativa, yo = datos
        ahora = self._reloj.ahora()
        planes = momentos_de_recordatorio(inicio, self._config.antelaciones_min,
                                          self._config.silencio, self._config.zona_horaria,
                                          ahora)
        zona = self._config.zona_horaria
        async with self._almacen.transaccion() as bd:
            asamblea_id = await self._almacen.crear_asamblea(
                bd, cooperativa_id, inicio, lugar, orden_del_dia, quien, planes, ahora)
            await self._almacen.responder_asamblea_en(bd, asamblea_id, quien, True)
            asamblea = await self._almacen.asamblea(asamblea_id)
            await self._avisar(
                bd, cooperativa_id, "asamblea", excepto=quien,
                redactar=lambda _, m: _("📣 <b>{nombre}</b> convocó a una asamblea de «{grupo}».")
                .format(nombre=_nombre(_, yo), grupo=escape(cooperativa.nombre)) + "\n\n"
                + tarjeta_asamblea(_, zona, asamblea) + "\n\n" + _("¿Vas a ir?"),
                botones=lambda _: botones_asistencia(_, asamblea_id), vence_en=inicio)
        await self._rearmar()
        return asamblea_id

    async def responder_asamblea(self, asamblea_id: int, quien: int, ira: bool) -> Resultado:
        asamblea = await self._almacen.asamblea(asamblea_id)
        if asamblea is None or await self.de_miembro(asamblea.cooperativa_id, quien) is None:
            return Resultado.NO_ES_MIEMBRO
        if asamblea.estado != EstadoAsamblea.PROGRAMADA:
            return Resultado.NO_EXISTE
        await self._almacen.responder_asamblea(asamblea_id, quien, ira)
        return Resultado.HECHO

    async def registrar_asamblea(self, asamblea_id: int, quien: int, acuerdos: str,
                                 asistentes: Sequence[int]) -> Resultado:
        """Después de la asamblea: acuerdos y quiénes fueron; se avisa a todo el grupo."""
        asamblea = await self._almacen.asamblea(asamblea_id)
        datos = (await self.de_miembro(asamblea.cooperativa_id, quien)
                 if asamblea is not None else None)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        cooperativa = datos[0]
        miembros = {m.telegram_id for m in await self._almacen.miembros(cooperativa.id)}
        validos = [t for t in dict.fromkeys(asistentes) if t in miembros]
        zona = self._config.zona_horaria
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.registrar_asamblea(bd, asamblea_id, acuerdos, validos,
                                                          self._reloj.ahora()):
                return Resultado.NO_EXISTE
            await self._avisar(
                bd, cooperativa.id, "acuerdos",
                redactar=lambda _, m: _(
                    "📝 <b>Acuerdos de la asamblea</b> de «{grupo}» del {fecha}:\n{acuerdos}\n\n"
                    "Asistieron {n} personas.").format(
                    grupo=escape(cooperativa.nombre),
                    fecha=fecha_y_hora(asamblea.inicio, _, zona), acuerdos=escape(acuerdos),
                    n=len(validos)))
        await self._rearmar()
        return Resultado.HECHO

    async def cancelar_asamblea(self, asamblea_id: int, quien: int) -> Resultado:
        """Quien la convocó, la responsable o una delegada."""
        asamblea = await self._almacen.asamblea(asamblea_id)
        datos = (await self.de_miembro(asamblea.cooperativa_id, quien)
                 if asamblea is not None else None)
        if datos is None:
            return Resultado.NO_ES_MIEMBRO
        cooperativa, yo = datos
        if asamblea.convocada_por != quien and not yo.puede_administrar:
            return Resultado.SIN_PERMISO
        zona = self._config.zona_horaria
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.cancelar_asamblea(bd, asamblea_id):
                return Resultado.NO_EXISTE
            await self._avisar(
                bd, cooperativa.id, "cancelada", excepto=quien,
                redactar=lambda _, m: _("❌ Se canceló la asamblea de «{grupo}» del {fecha}.")
                .format(grupo=escape(cooperativa.nombre),
                        fecha=fecha_y_hora(asamblea.inicio, _, zona)),
                vence_en=asamblea.inicio)
        await self._rearmar()
        return Resultado.HECHO

    # --- los recordatorios de asambleas (fuente de nucleo/recordatorios.py) -------------------

    async def proximo_recordatorio(self) -> datetime | None:
        return await self._almacen.proximo_recordatorio_asamblea()

    async def atender_recordatorios(self, ahora: datetime) -> int:
        """Lo que ya toca: a cada miembro que no dijo «no voy», en su idioma. Si a una
        asamblea le tocan varios a la vez (el bot estuvo apagado), sale solo el más cercano."""
        encolados = 0
        zona = self._config.zona_horaria
        while True:
            async with self._almacen.transaccion() as bd:
                debidos = await self._almacen.recordatorios_asamblea_debidos(bd, ahora, LOTE)
                elegidos: dict[int, RecordatorioAsambleaDebido] = {}
                for r in debidos:
                    if r.estado_asamblea == EstadoAsamblea.PROGRAMADA and r.inicio > ahora:
                        previo = elegidos.get(r.asamblea_id)
                        if previo is None or r.antelacion_min < previo.antelacion_min:
                            elegidos[r.asamblea_id] = r
                envios = []
                for r in elegidos.values():
                    asamblea = await self._almacen.asamblea(r.asamblea_id)
                    cooperativa = await self._almacen.cooperativa(asamblea.cooperativa_id)
                    no_van = {a.telegram_id for a in await self._almacen.asistencias(asamblea.id)
                              if a.confirmo is False}
                    for m in await self._almacen.miembros(asamblea.cooperativa_id):
                        if m.telegram_id in no_van:
                            continue
                        _ = self._textos.para(m.idioma)
                        texto = (_("🔔 <b>Recordatorio: asamblea de «{grupo}»</b>").format(
                            grupo=escape(cooperativa.nombre)) + "\n\n"
                            + tarjeta_asamblea(_, zona, asamblea) + "\n\n" + _("¿Vas a ir?"))
                        envios.append(EnvioNuevo(m.telegram_id, texto,
                                                 f"{r.clave}:{m.telegram_id}",
                                                 botones_asistencia(_, asamblea.id),
                                                 PRIORIDAD_RECORDATORIO, vence_en=asamblea.inicio))
                if envios:
                    encolados += await self._despachador.encolar(envios, bd=bd)
                ids = {r.id for r in elegidos.values()}
                await self._almacen.marcar_recordatorios_asamblea(bd, list(ids), "encolado")
                await self._almacen.marcar_recordatorios_asamblea(
                    bd, [r.id for r in debidos if r.id not in ids], "descartado")
            if len(debidos) < LOTE:
                return encolados

    # --- el personal --------------------------------------------------------------------------

    async def escribir_a_miembros(self, cooperativa_id: int, texto: str, quien: int) -> int:
        """Un mensaje del personal (`quien`) a cada miembro del grupo, por la cola, y su nota
        en la bitácora, en una transacción. Cuántos entraron."""
        cooperativa = await self._almacen.cooperativa(cooperativa_id)
        if cooperativa is None:
            return 0
        async with self._almacen.transaccion() as bd:
            nuevos = await self._avisar(
                bd, cooperativa_id, "personal",
                redactar=lambda _, m: _("💬 <b>Mensaje de la {siglas}</b> para el grupo «{grupo}»:"
                                        ).format(siglas=escape(self._contenido.oficina.siglas),
                                                 grupo=escape(cooperativa.nombre))
                + "\n\n" + escape(texto),
                botones=lambda _: [[(_("💬 Contestar en /asesoria"), "menu:asesoria")]])
            await anotar(self._almacen, self._reloj.ahora(), quien, "cooperativa_mensaje",
                         f"cooperativa {cooperativa_id}", str(nuevos), bd=bd)
        self._despachador.despertar()
        return nuevos

    async def anotar_asesoria(self, cooperativa_id: int, personal_id: int,
                              acuerdos: str) -> bool:
        """Lo que el personal anotó al asesorar al grupo, con su nota en la bitácora."""
        ahora = self._reloj.ahora()

        async def a_la_bitacora(bd: aiosqlite.Connection) -> None:
            await anotar(self._almacen, ahora, personal_id, "cooperativa_asesoria",
                         f"cooperativa {cooperativa_id}", bd=bd)

        return await self._almacen.anotar_asesoria_cooperativa(
            cooperativa_id, personal_id, acuerdos, ahora, a_la_bitacora)

    def paso_alcanzado(self, hechos: set[str]) -> PasoCamino | None:
        """El primer paso del camino que el grupo aún no termina (None: terminó todos)."""
        return next((p for p in self.camino.pasos if p.id not in hechos), None)

    async def cuentas_por_paso(self) -> dict[str, int]:
        """Cuántos grupos en formación van en cada paso (el primero sin terminar); la clave
        «terminado» cuenta los que completaron todo. Para las cifras del programa."""
        hechos = await self._almacen.pasos_hechos()
        cuentas = {p.id: 0 for p in self.camino.pasos}
        cuentas["terminado"] = 0
        for cooperativa in await self._almacen.cooperativas_en_formacion():
            paso = self.paso_alcanzado(hechos.get(cooperativa.id, set()))
            cuentas[paso.id if paso else "terminado"] += 1
        return cuentas

    # --- piezas -----------------------------------------------------------------------------

    async def _avisar(self, bd: aiosqlite.Connection, cooperativa_id: int, tipo: str, *,
                      redactar: Redactar, excepto: int | None = None,
                      botones: Botones | None = None, vence_en: datetime | None = None) -> int:
        """Un aviso a cada miembro del grupo (menos `excepto`), en su idioma, dentro de la
        transacción `bd`. `redactar(_, miembro)` da el texto; `botones(_)`, los botones."""
        operacion = uuid.uuid4().hex[:16]
        envios = []
        for miembro in await self._almacen.miembros(cooperativa_id):
            if miembro.telegram_id == excepto:
                continue
            _ = self._textos.para(miembro.idioma)
            envios.append(EnvioNuevo(
                miembro.telegram_id, redactar(_, miembro),
                f"coop:{cooperativa_id}:{tipo}:{operacion}:{miembro.telegram_id}",
                botones(_) if botones else None, PRIORIDAD_AVISO, vence_en=vence_en))
        return await self._despachador.encolar(envios, bd=bd) if envios else 0

    async def _rearmar(self) -> None:
        self._despachador.despertar()
        if self._recordatorios is not None:
            await self._recordatorios.rearmar()


def _nombre(_: Traductor, miembro: Miembro | None) -> str:
    if miembro is None or not miembro.nombre:
        return _("Alguien")
    return escape(miembro.nombre)


def tarjeta_asamblea(_: Traductor, zona: ZoneInfo, asamblea: Asamblea) -> str:
    """Cuándo, dónde y el orden del día de una asamblea (HTML)."""
    return "\n".join([
        _("🗓️ {fecha}").format(fecha=fecha_y_hora(asamblea.inicio, _, zona)),
        _("📍 {lugar}").format(lugar=escape(asamblea.lugar)),
        _("📋 Orden del día: {orden}").format(orden=escape(asamblea.orden_del_dia)),
    ])


def botones_asistencia(_: Traductor, asamblea_id: int) -> list[list[tuple[str, str]]]:
    return [[(_("✅ Sí voy"), f"coop:asi:{asamblea_id}:si"),
             (_("❌ No puedo"), f"coop:asi:{asamblea_id}:no")]]
