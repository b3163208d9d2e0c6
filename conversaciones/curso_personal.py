"""El personal lleva el catálogo de cursos desde Telegram (/personal → 📚 Cursos).

Pasos de un paso (terminan el flujo): la lista (pers:cursos[:<página>]), la ficha de un curso
(pers:cu:<id>), qué dato cambiar (pers:cu:<id>:ed), desactivar (pers:cu:<id>:baja, con
confirmación pers:cu:<id>:baja_si; no se puede con fechas próximas) y reactivar
(pers:cu:<id>:alta).

Curso nuevo (pers:cunuevo):
    NOMBRE → TEMA → DESCRIPCION → REQUISITOS → MODALIDAD → HORAS
    → RESUMEN [💾 Guardar → fin | ✖️ Salir sin guardar → fin]
Cambiar un dato (pers:cu:<id>:ed:<campo>): la pregunta de ese dato → RESUMEN (cómo queda) →
[💾 Guardar | ✖️ Salir sin guardar].

Lo capturado se guarda al momento en el borrador del personal (sobrevive a un reinicio). Cada
handler pasa por `solo_personal`; las salidas son las de los flujos de sesiones
(conversaciones/sesion_comun.py): «Salir sin guardar», /cancelar, /personal u otro botón del
personal. Los cambios van al catálogo (nucleo/catalogo.py), con su línea en la bitácora.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from conversaciones import sesion_comun as comun
from conversaciones.sesion_comun import boton, con_salida, paso, texto
from interfaz.paginas import navegacion, paginar, pie_pagina
from interfaz.personal import boton_menu_personal
from interfaz.respuestas import en_columnas, responder, teclado
from nucleo.catalogo import LECTORES, REQUISITOS_NINGUNO, id_para
from nucleo.contenido import Curso
from nucleo.contexto import Contexto
from nucleo.reglas_sesion import DatoInvalido
from nucleo.tarjetas import texto_plano
from nucleo.textos import N_, Traductor
from nucleo.vocabulario import NOMBRE_MODALIDAD, TEMAS, Modalidad

NOMBRE, TEMA, DESCRIPCION, REQUISITOS, MODALIDAD, HORAS, RESUMEN = range(7)
ESCRITOS = (NOMBRE, DESCRIPCION, REQUISITOS, HORAS)
HORAS_COMUNES = (2, 4, 8, 12, 20)
# Cada dato: su paso y su nombre en los botones y en la bitácora.
CAMPOS = {
    "nombre": (NOMBRE, N_("Nombre")), "tema": (TEMA, N_("Tema")),
    "descripcion": (DESCRIPCION, N_("De qué trata")), "requisitos": (REQUISITOS, N_("Requisitos")),
    "modalidad": (MODALIDAD, N_("Modalidad")), "duracion_horas": (HORAS, N_("Horas")),
}
ORDEN = ("nombre", "tema", "descripcion", "requisitos", "modalidad", "duracion_horas")


# --- la lista y la ficha (un paso) -----------------------------------------------------------

def ficha_curso(_: Traductor, datos: dict[str, Any], activo: bool | None = None) -> str:
    """El curso (guardado o en el borrador) como lo revisa el personal."""
    def dato(campo: str) -> str:
        return str(datos.get(campo, "—"))

    tema = _(TEMAS[datos["tema"]]) if datos.get("tema") in TEMAS else "—"
    modalidad = (_(NOMBRE_MODALIDAD[Modalidad(datos["modalidad"])])
                 if datos.get("modalidad") in tuple(Modalidad) else "—")
    lineas = [f"<b>{escape(dato('nombre'))}</b>",
              _("Tema: {tema}").format(tema=tema),
              _("Modalidad: {modalidad}").format(modalidad=modalidad),
              _("Duración: {n} horas").format(n=dato("duracion_horas")),
              "", _("<b>De qué trata</b>"), dato("descripcion"),
              "", _("<b>Requisitos</b>"), dato("requisitos")]
    if activo is not None:
        lineas += ["", _("✅ Activo: la ciudadanía lo ve en /cursos.") if activo else
                   _("⏸️ Desactivado: la ciudadanía ya no lo ve.")]
    return "\n".join(lineas)


def _datos(curso: Curso) -> dict[str, Any]:
    return {c: getattr(curso, c) for c in ORDEN}


async def lista(update: Update, contexto: Contexto) -> int:
    """pers:cursos[:<página>]: todos los cursos (también los desactivados), por páginas, y
    «Nuevo curso»."""
    _ = contexto.traductor
    todos = contexto.catalogo.todos
    visibles, pagina, total = paginar(todos, int(contexto.match.group(1) or 0))
    if not todos:
        texto = _("<b>Cursos del programa</b>\nTodavía no hay ningún curso: la ciudadanía ve "
                  "en /cursos que pronto habrá. Crea el primero con «🆕 Nuevo curso» o "
                  "impórtalos de un CSV con python bot.py importar-cursos.")
    else:
        texto = _("<b>Cursos del programa</b>\nElige uno para verlo, cambiarlo o desactivarlo. "
                  "⏸️ = desactivado.")
        if contexto.catalogo.solo_ejemplo:
            texto += "\n\n" + _("⚠️ Son los cursos de EJEMPLO (inventados), para probar el bot.")
    botones = [[(("⏸️ " if not g.curso.activo else "") + g.curso.nombre[:50],
                 f"pers:cu:{g.curso.id}")] for g in visibles]
    botones.append(navegacion(_, "pers:cursos:{p}", pagina, total))
    await responder(update, texto + pie_pagina(_, pagina, total),
                    teclado(*botones, [(_("🆕 Nuevo curso"), "pers:cunuevo")],
                            [boton_menu_personal(_)]))
    return ConversationHandler.END


async def _mostrar_curso(update: Update, contexto: Contexto, curso: Curso,
                         antes: str = "") -> int:
    _ = contexto.traductor
    if curso.activo:
        cambio = (_("⏸️ Desactivar"), f"pers:cu:{curso.id}:baja")
    else:
        cambio = (_("▶️ Reactivar"), f"pers:cu:{curso.id}:alta")
    texto = ficha_curso(_, _datos(curso), curso.activo)
    botones = teclado([(_("✏️ Cambiar un dato"), f"pers:cu:{curso.id}:ed")], [cambio],
                      [(_("⬅️ Cursos"), "pers:cursos")])
    await responder(update, f"{antes}\n\n{texto}".strip(), botones)
    return ConversationHandler.END


async def _curso_pedido(update: Update, contexto: Contexto) -> Curso | None:
    """El curso del botón; si ya no existe, lo dice y vuelve a la lista."""
    curso = contexto.catalogo.curso(contexto.match.group(1))
    if curso is None:
        _ = contexto.traductor
        await responder(update, _("Ese curso no existe."), teclado(
            [(_("⬅️ Cursos"), "pers:cursos")]))
    return curso


async def ver(update: Update, contexto: Contexto) -> int:
    """pers:cu:<id>: la ficha del curso con sus botones."""
    if (curso := await _curso_pedido(update, contexto)) is not None:
        await _mostrar_curso(update, contexto, curso)
    return ConversationHandler.END


async def elegir_dato(update: Update, contexto: Contexto) -> int:
    """pers:cu:<id>:ed: qué dato cambiar."""
    if (curso := await _curso_pedido(update, contexto)) is None:
        return ConversationHandler.END
    _ = contexto.traductor
    botones = [(_(CAMPOS[c][1]), f"pers:cu:{curso.id}:ed:{c}") for c in ORDEN]
    texto = ficha_curso(_, _datos(curso)) + "\n\n" + _("¿Qué dato quieres cambiar?")
    await responder(update, texto, teclado(*en_columnas(botones, 2),
                                           [(_("⬅️ Volver"), f"pers:cu:{curso.id}")]))
    return ConversationHandler.END


async def pedir_baja(update: Update, contexto: Contexto) -> int:
    """pers:cu:<id>:baja: con fechas próximas no se puede (lo dice); si no, pide confirmar."""
    if (curso := await _curso_pedido(update, contexto)) is None:
        return ConversationHandler.END
    _ = contexto.traductor
    if not curso.activo:
        return await _mostrar_curso(update, contexto, curso, _("Este curso ya está desactivado."))
    if await _sin_fechas_proximas(update, contexto, curso):
        texto = _("¿Desactivar «{nombre}»? La ciudadanía ya no lo verá en /cursos ni en la "
                  "orientación. Sus sesiones pasadas se siguen viendo. Puedes reactivarlo "
                  "cuando quieras.").format(nombre=escape(curso.nombre))
        await responder(update, texto, teclado(
            [(_("⏸️ Sí, desactivar"), f"pers:cu:{curso.id}:baja_si")],
            [(_("No, dejarlo activo"), f"pers:cu:{curso.id}")]))
    return ConversationHandler.END


async def _sin_fechas_proximas(update: Update, contexto: Contexto, curso: Curso) -> bool:
    fechas = await contexto.catalogo.fechas_proximas(curso.id)
    if not fechas:
        return True
    _ = contexto.traductor
    texto = _.plural(
        "No se puede desactivar: «{nombre}» tiene {n} fecha próxima. Cancélala primero en "
        "«📅 Sesiones próximas» (la gente inscrita recibe su aviso) y vuelve aquí.",
        "No se puede desactivar: «{nombre}» tiene {n} fechas próximas. Cancélalas primero en "
        "«📅 Sesiones próximas» (la gente inscrita recibe su aviso) y vuelve aquí.",
        fechas).format(nombre=escape(curso.nombre), n=fechas)
    await responder(update, texto, teclado([(_("📅 Sesiones próximas"), "pers:sesiones")],
                                           [(_("⬅️ Volver"), f"pers:cu:{curso.id}")]))
    return False


async def desactivar(update: Update, contexto: Contexto) -> int:
    """pers:cu:<id>:baja_si: se vuelve a revisar que no tenga fechas próximas."""
    if (curso := await _curso_pedido(update, contexto)) is None:
        return ConversationHandler.END
    _ = contexto.traductor
    if not await _sin_fechas_proximas(update, contexto, curso):
        return ConversationHandler.END
    await contexto.catalogo.activar(curso.id, False, update.effective_user.id)
    return await _mostrar_curso(update, contexto, contexto.catalogo.curso(curso.id),
                                _("⏸️ Curso desactivado."))


async def reactivar(update: Update, contexto: Contexto) -> int:
    """pers:cu:<id>:alta."""
    if (curso := await _curso_pedido(update, contexto)) is None:
        return ConversationHandler.END
    _ = contexto.traductor
    await contexto.catalogo.activar(curso.id, True, update.effective_user.id)
    return await _mostrar_curso(update, contexto, contexto.catalogo.curso(curso.id),
                                _("▶️ Curso activo otra vez: ya aparece en /cursos."))


# --- las preguntas ---------------------------------------------------------------------------

async def _preguntar(update: Update, contexto: Contexto, antes: str, pregunta: str,
                     *filas: list[tuple[str, str]]) -> None:
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    titulo = _("<b>Cambiar el curso</b>") if borrador.get("curso_id") else _(
        "<b>Curso nuevo</b>")
    actual = borrador.get("actual")
    if actual is not None:
        valor = escape(texto_plano(str(actual))[:300])  # sin cortar una etiqueta a la mitad
        pregunta += "\n" + _("Ahora dice: {valor}").format(valor=valor)
    await responder(update, f"{antes}\n\n{titulo}\n{pregunta}".strip(), con_salida(_, *filas))


async def preguntar_nombre(update: Update, contexto: Contexto, antes: str = "") -> None:
    _ = contexto.traductor
    await _preguntar(update, contexto, antes, _(
        "¿Cómo se llama el curso? Un nombre corto, hasta 60 caracteres."))


async def preguntar_tema(update: Update, contexto: Contexto, antes: str = "") -> None:
    _ = contexto.traductor
    botones = [[(_(nombre), f"pers:f:tema:{tema}")] for tema, nombre in TEMAS.items()]
    await _preguntar(update, contexto, antes, _("¿De qué tema es?"), *botones)


async def preguntar_descripcion(update: Update, contexto: Contexto, antes: str = "") -> None:
    _ = contexto.traductor
    await _preguntar(update, contexto, antes, _(
        "¿De qué trata? Escríbelo en pocas frases sencillas, como se lo dirías a alguien "
        "que pregunta."))


async def preguntar_requisitos(update: Update, contexto: Contexto, antes: str = "") -> None:
    _ = contexto.traductor
    await _preguntar(update, contexto, antes, _(
        "¿Qué se necesita para tomarlo? Si no hace falta nada, pulsa «Ninguno»."),
        [(_("Ninguno"), "pers:f:req:no")])


async def preguntar_modalidad(update: Update, contexto: Contexto, antes: str = "") -> None:
    _ = contexto.traductor
    botones = [(_(NOMBRE_MODALIDAD[m]), f"pers:f:mod:{m.value}") for m in Modalidad]
    await _preguntar(update, contexto, antes, _("¿Cómo se toma el curso?"), botones)


async def preguntar_horas(update: Update, contexto: Contexto, antes: str = "") -> None:
    _ = contexto.traductor
    botones = [(str(n), f"pers:f:horas:{n}") for n in HORAS_COMUNES]
    await _preguntar(update, contexto, antes, _(
        "¿Cuántas horas dura en total? Elige o escribe un número."), botones)


PREGUNTAS = {NOMBRE: preguntar_nombre, TEMA: preguntar_tema,
             DESCRIPCION: preguntar_descripcion, REQUISITOS: preguntar_requisitos,
             MODALIDAD: preguntar_modalidad, HORAS: preguntar_horas}
SIGUIENTE = {NOMBRE: TEMA, TEMA: DESCRIPCION, DESCRIPCION: REQUISITOS, REQUISITOS: MODALIDAD,
             MODALIDAD: HORAS, HORAS: RESUMEN}


# --- empezar ---------------------------------------------------------------------------------

async def nuevo(update: Update, contexto: Contexto) -> int:
    """pers:cunuevo: un borrador vacío y la primera pregunta."""
    await comun.empezar(update, contexto, accion="curso_nuevo")
    await preguntar_nombre(update, contexto)
    return NOMBRE


async def cambiar(update: Update, contexto: Contexto) -> int:
    """pers:cu:<id>:ed:<campo>: la pregunta de ese dato, con lo que dice ahora."""
    if (curso := await _curso_pedido(update, contexto)) is None:
        return ConversationHandler.END
    campo = contexto.match.group(2)
    actual = getattr(curso, campo)
    await comun.empezar(update, contexto, accion="curso_cambio", curso_id=curso.id,
                        campo=campo, actual=actual if campo in ESCRITOS_CAMPOS else None)
    estado = CAMPOS[campo][0]
    await PREGUNTAS[estado](update, contexto)
    return estado


ESCRITOS_CAMPOS = ("nombre", "descripcion", "requisitos", "duracion_horas")


# --- recibir cada dato -----------------------------------------------------------------------

async def _recibir(update: Update, contexto: Contexto, estado: int, campo: str,
                   valor: str) -> int:
    """Lee el dato con su regla (nucleo/catalogo.py); si no sirve, lo dice y pregunta otra
    vez. Si sirve, lo anota y pasa al siguiente paso (o al resumen, si se cambia un dato)."""
    _ = contexto.traductor
    try:
        leido = LECTORES[campo](valor)
        if campo == "nombre":
            borrador = await comun.borrador(update, contexto)
            _revisar_nombre(contexto, leido, borrador.get("curso_id"))
    except DatoInvalido as error:
        await PREGUNTAS[estado](update, contexto, escape(error.traducido(_)))
        return estado
    borrador = await comun.anotar(update, contexto, **{campo: leido})
    if borrador.get("accion") == "curso_cambio" or "duracion_horas" in borrador:
        return await mostrar_resumen(update, contexto)
    siguiente = SIGUIENTE[estado]
    await PREGUNTAS[siguiente](update, contexto)
    return siguiente


def _revisar_nombre(contexto: Contexto, nombre: str, menos: str | None) -> None:
    clave = nombre.casefold()
    if any(c.nombre.casefold() == clave and c.id != menos
           for c in (g.curso for g in contexto.catalogo.todos)):
        raise DatoInvalido(N_("Ya hay un curso con ese nombre. Escribe otro, por favor."))


async def recibir_nombre(update: Update, contexto: Contexto) -> int:
    return await _recibir(update, contexto, NOMBRE, "nombre", update.effective_message.text)


async def recibir_tema(update: Update, contexto: Contexto) -> int:
    return await _recibir(update, contexto, TEMA, "tema", contexto.match.group(1))


async def recibir_descripcion(update: Update, contexto: Contexto) -> int:
    return await _recibir(update, contexto, DESCRIPCION, "descripcion",
                          update.effective_message.text)


async def recibir_requisitos(update: Update, contexto: Contexto) -> int:
    return await _recibir(update, contexto, REQUISITOS, "requisitos",
                          update.effective_message.text)


async def sin_requisitos(update: Update, contexto: Contexto) -> int:
    """pers:f:req:no: «Ninguno.» (se traduce al mostrarlo)."""
    return await _recibir(update, contexto, REQUISITOS, "requisitos", REQUISITOS_NINGUNO)


async def recibir_modalidad(update: Update, contexto: Contexto) -> int:
    return await _recibir(update, contexto, MODALIDAD, "modalidad", contexto.match.group(1))


async def recibir_horas(update: Update, contexto: Contexto) -> int:
    escrito = contexto.match.group(1) if update.callback_query else update.effective_message.text
    return await _recibir(update, contexto, HORAS, "duracion_horas", escrito)


# --- revisar y guardar -----------------------------------------------------------------------

async def mostrar_resumen(update: Update, contexto: Contexto) -> int:
    """Cómo queda el curso, con «Guardar» y «Salir sin guardar» → RESUMEN."""
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    if borrador.get("accion") == "curso_cambio":
        curso = contexto.catalogo.curso(borrador.get("curso_id", ""))
        campo = borrador.get("campo")
        if curso is None or campo not in CAMPOS or campo not in borrador:
            return await comun.perdido(update, contexto)
        datos = {**_datos(curso), campo: borrador[campo]}
        titulo = _("<b>Revisa el cambio</b> ({dato}). Así queda:").format(
            dato=_(CAMPOS[campo][1]))
    elif borrador.get("accion") == "curso_nuevo" and all(c in borrador for c in ORDEN):
        datos = borrador
        titulo = _("<b>Revisa el curso nuevo</b>. Así lo verá la ciudadanía:")
    else:
        return await comun.perdido(update, contexto)
    botones = teclado([(_("💾 Guardar"), "pers:f:guardar")],
                      [(_("✖️ Salir sin guardar"), "pers:f:salir")])
    await responder(update, titulo + "\n\n" + ficha_curso(_, datos), botones)
    return RESUMEN


async def guardar(update: Update, contexto: Contexto) -> int:
    """pers:f:guardar → fin, con la ficha del curso ya guardado."""
    _ = contexto.traductor
    borrador = await comun.borrador(update, contexto)
    quien = update.effective_user.id
    try:
        if borrador.get("accion") == "curso_cambio":
            campo = borrador.get("campo")
            if campo not in CAMPOS or campo not in borrador:
                return await comun.perdido(update, contexto)
            curso = await contexto.catalogo.cambiar(borrador["curso_id"], campo,
                                                    borrador[campo], quien)
            aviso = _("✅ Cambio guardado.")
        elif borrador.get("accion") == "curso_nuevo" and all(c in borrador for c in ORDEN):
            nuevo_curso = Curso(id=id_para(borrador["nombre"], ()), activo=True,
                                **{c: borrador[c] for c in ORDEN})
            curso = await contexto.catalogo.crear(nuevo_curso, quien)
            aviso = _("✅ Curso guardado. Ya aparece en /cursos; ahora crea sus fechas en "
                      "«🆕 Nueva sesión».")
        else:
            return await comun.perdido(update, contexto)
    except DatoInvalido as error:  # otra persona del personal usó el nombre mientras tanto
        await preguntar_nombre(update, contexto, escape(error.traducido(_)))
        return NOMBRE
    await contexto.almacen.descartar_borrador(quien)
    if curso is None:
        return await comun.perdido(update, contexto)
    await _mostrar_curso(update, contexto, curso, aviso)
    return ConversationHandler.END


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado, la pregunta del paso `estado` otra vez."""
    if estado == RESUMEN:
        return await mostrar_resumen(update, contexto)
    await PREGUNTAS[estado](update, contexto)
    return estado


def _paso(estado: int, *handlers: BaseHandler) -> list[BaseHandler]:
    return paso(estado, volver_a_preguntar, ESCRITOS, *handlers)


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación (guarda en memoria el paso de cada persona)."""
    modalidades = "|".join(Modalidad)
    temas = "|".join(TEMAS)
    return ConversationHandler(
        name="curso_personal",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            boton(lista, r"^pers:cursos(?::(\d{1,3}))?$"),
            boton(nuevo, r"^pers:cunuevo$"),
            boton(ver, r"^pers:cu:(\w{1,20})$"),
            boton(elegir_dato, r"^pers:cu:(\w{1,20}):ed$"),
            boton(cambiar, r"^pers:cu:(\w{1,20}):ed:(" + "|".join(ORDEN) + r")$"),
            boton(pedir_baja, r"^pers:cu:(\w{1,20}):baja$"),
            boton(desactivar, r"^pers:cu:(\w{1,20}):baja_si$"),
            boton(reactivar, r"^pers:cu:(\w{1,20}):alta$"),
        ],
        states={
            NOMBRE: _paso(NOMBRE, texto(recibir_nombre)),
            TEMA: _paso(TEMA, boton(recibir_tema, rf"^pers:f:tema:({temas})$")),
            DESCRIPCION: _paso(DESCRIPCION, texto(recibir_descripcion)),
            REQUISITOS: _paso(REQUISITOS, texto(recibir_requisitos),
                              boton(sin_requisitos, r"^pers:f:req:no$")),
            MODALIDAD: _paso(MODALIDAD, boton(recibir_modalidad,
                                              rf"^pers:f:mod:({modalidades})$")),
            HORAS: _paso(HORAS, texto(recibir_horas), boton(recibir_horas,
                                                            r"^pers:f:horas:(\d{1,3})$")),
            RESUMEN: _paso(RESUMEN, boton(guardar, r"^pers:f:guardar$")),
        },
        fallbacks=comun.salidas_del_personal(),
    )
