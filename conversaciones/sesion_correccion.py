"""El personal corrige un dato de una sesión («✏️ Corregir datos» → el dato, pers:s:<id>:ed:<dato>).

    presencial: MUNICIPIO | LUGAR | DIRECCION | MAPA   ─┐
    en línea:   ENLACE                                 ├→ se guarda → fin (la ficha)
    las dos:    CUPO (nunca menor que las inscritas)  ─┘

Cambiar el cupo puede subir a personas de la lista de espera: `nucleo.capacitacion` les avisa
en la misma transacción. Los otros datos no avisan a nadie.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from conversaciones import sesion_comun as comun
from conversaciones.sesion_comun import boton, paso, texto
from interfaz.personal import CAMPOS_DE_BOTON, mostrar_sesion
from nucleo.auditoria import auditar
from nucleo.contexto import Contexto
from nucleo.reglas_sesion import LARGO_DIRECCION, LARGO_LUGAR, leer_cupo, leer_texto, leer_url

MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE, CUPO = range(6)
ESCRITOS = (MUNICIPIO, LUGAR, DIRECCION, MAPA, ENLACE, CUPO)
ESTADO_DE_CAMPO = {"municipio_clave": MUNICIPIO, "lugar": LUGAR, "direccion": DIRECCION,
                   "mapa_url": MAPA, "enlace": ENLACE, "cupo": CUPO}
PREGUNTAS = {MUNICIPIO: comun.preguntar_municipio, LUGAR: comun.preguntar_lugar,
             DIRECCION: comun.preguntar_direccion, MAPA: comun.preguntar_mapa,
             ENLACE: comun.preguntar_enlace, CUPO: comun.preguntar_cupo}


async def corregir(update: Update, contexto: Contexto) -> int:
    """pers:s:<id>:ed:<dato> → el paso de ese dato (un dato desconocido: la ficha, fin)."""
    sesion = await comun.sesion_programada(update, contexto)
    if sesion is None:
        return ConversationHandler.END
    campo = CAMPOS_DE_BOTON.get(contexto.match.group(2))
    if campo is None:
        await mostrar_sesion(update, contexto, sesion)
        return ConversationHandler.END
    await comun.empezar(update, contexto, accion="corregir", sesion_id=sesion.id, campo=campo)
    estado = ESTADO_DE_CAMPO[campo]
    antes = ""
    if estado == CUPO:
        _ = contexto.traductor
        antes = _("Cupo actual: {cupo}. Inscritas: {n}; no puede ser menor.").format(
            cupo=sesion.cupo, n=sesion.inscritas)
    await PREGUNTAS[estado](update, contexto, antes)
    return estado


async def recibir_municipio(update: Update, contexto: Contexto) -> int:
    """El nombre exacto → se guarda; si no, «¿Quisiste decir…?» y sigue en MUNICIPIO."""
    busqueda = contexto.contenido.municipios.buscar(update.effective_message.text)
    if busqueda.exacto is None:
        await comun.sugerir_municipios(update, contexto)
        return MUNICIPIO
    return await _aplicar(update, contexto, municipio_clave=busqueda.exacto.clave)


async def elegir_municipio(update: Update, contexto: Contexto) -> int:
    """pers:f:mun:<clave> → se guarda."""
    clave = contexto.match.group(1)
    if contexto.contenido.municipios.por_clave(clave) is None:
        await comun.preguntar_municipio(update, contexto)
        return MUNICIPIO
    return await _aplicar(update, contexto, municipio_clave=clave)


async def otro_municipio(update: Update, contexto: Contexto) -> int:
    """pers:f:mun:otra: se pregunta otra vez."""
    await comun.preguntar_municipio(update, contexto)
    return MUNICIPIO


async def recibir_lugar(update: Update, contexto: Contexto) -> int:
    """El nombre del lugar → se guarda."""
    lugar = await comun.leer(update, contexto, lambda t: leer_texto(t, LARGO_LUGAR),
                             comun.preguntar_lugar)
    return LUGAR if lugar is None else await _aplicar(update, contexto, lugar=lugar)


async def recibir_direccion(update: Update, contexto: Contexto) -> int:
    """La dirección → se guarda."""
    direccion = await comun.leer(update, contexto, lambda t: leer_texto(t, LARGO_DIRECCION),
                                 comun.preguntar_direccion)
    return DIRECCION if direccion is None else await _aplicar(update, contexto,
                                                              direccion=direccion)


async def recibir_mapa(update: Update, contexto: Contexto) -> int:
    """El enlace al mapa → se guarda."""
    mapa = await comun.leer(update, contexto, leer_url, comun.preguntar_mapa)
    return MAPA if mapa is None else await _aplicar(update, contexto, mapa_url=mapa)


async def sin_mapa(update: Update, contexto: Contexto) -> int:
    """pers:f:mapa:no: la sesión se queda sin mapa."""
    return await _aplicar(update, contexto, mapa_url=None)


async def recibir_enlace(update: Update, contexto: Contexto) -> int:
    """El enlace de la sesión en línea → se guarda."""
    enlace = await comun.leer(update, contexto, leer_url, comun.preguntar_enlace)
    return ENLACE if enlace is None else await _aplicar(update, contexto, enlace=enlace)


async def recibir_cupo(update: Update, contexto: Contexto) -> int:
    """Un número de 1 a 500, no menor que las inscritas → fin (si sube gente, se les avisa)."""
    _ = contexto.traductor
    cupo = await comun.leer(update, contexto, leer_cupo, comun.preguntar_cupo)
    if cupo is None:
        return CUPO
    sesion_id = (await comun.borrador(update, contexto)).get("sesion_id")
    if sesion_id is None:
        return await comun.perdido(update, contexto)
    cambio = await contexto.capacitacion.cambiar_cupo(sesion_id, cupo)
    await auditar(contexto, update, "sesion_corregida", f"sesion {sesion_id}", f"cupo {cupo}")
    if cambio is not None and not cambio.guardado:
        await comun.preguntar_cupo(update, contexto, _(
            "Ya hay {n} personas inscritas: el cupo no puede ser menor.").format(
            n=cambio.inscritas))
        return CUPO
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    if cambio is None:
        return await comun.terminar_en_sesion(update, contexto, sesion_id,
                                              _("Esa sesión ya no se puede cambiar."))
    antes = _("✅ Cupo cambiado a {cupo}.").format(cupo=cupo)
    if cambio.promovidas:
        antes += " " + _.plural(
            "{n} persona pasó de la lista de espera a inscrita; ya le avisamos.",
            "{n} personas pasaron de la lista de espera a inscritas; ya les avisamos.",
            len(cambio.promovidas)).format(n=len(cambio.promovidas))
    return await comun.terminar_en_sesion(update, contexto, sesion_id, antes)


async def _aplicar(update: Update, contexto: Contexto, **cambio: Any) -> int:
    """Guarda el dato corregido y termina en la ficha de la sesión."""
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    if borrador.get("accion") != "corregir" or borrador.get("campo") not in cambio:
        return await comun.perdido(update, contexto)
    sesion_id = borrador["sesion_id"]
    cambiado = await contexto.almacen.cambiar_datos_sesion(sesion_id, cambio,
                                                           contexto.reloj.ahora())
    await auditar(contexto, update, "sesion_corregida", f"sesion {sesion_id}", ",".join(cambio))
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    return await comun.terminar_en_sesion(
        update, contexto, sesion_id,
        _("✅ Dato corregido.") if cambiado else _("Esa sesión ya no se puede cambiar."))


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado, la pregunta del paso `estado` otra vez."""
    await PREGUNTAS[estado](update, contexto)
    return estado


def _paso(estado: int, *handlers: BaseHandler) -> list[BaseHandler]:
    return paso(estado, volver_a_preguntar, ESCRITOS, *handlers)


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación: guarda en memoria el paso de cada persona, y dos
    aplicaciones en el mismo proceso (un reinicio en las pruebas) no deben compartirlo."""
    return ConversationHandler(
        name="sesion_correccion",
        persistent=True,
        allow_reentry=True,
        entry_points=[boton(corregir, r"^pers:s:(\d+):ed:(\w+)$")],
        states={
            MUNICIPIO: _paso(MUNICIPIO, texto(recibir_municipio),
                             boton(elegir_municipio, r"^pers:f:mun:(\d+)$"),
                             boton(otro_municipio, r"^pers:f:mun:otra$")),
            LUGAR: _paso(LUGAR, texto(recibir_lugar)),
            DIRECCION: _paso(DIRECCION, texto(recibir_direccion)),
            MAPA: _paso(MAPA, texto(recibir_mapa), boton(sin_mapa, r"^pers:f:mapa:no$")),
            ENLACE: _paso(ENLACE, texto(recibir_enlace)),
            CUPO: _paso(CUPO, texto(recibir_cupo)),
        },
        fallbacks=comun.salidas_del_personal(),
    )
