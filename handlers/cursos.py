"""/cursos: buscar cursos por tema, por lugar o por modalidad, ver sus fechas e inscribirse.

Buscar es de un paso por botón: todo lo necesario viaja en el callback_data (filtro y página),
así un botón de un mensaje viejo sigue sirviendo y un reinicio no pierde nada. Cada dato se
revisa otra vez al pulsar: una fecha que ya pasó, se canceló o no existe recibe una respuesta
amable y no cambia nada.

    cur:inicio → cur:temas | cur:lugares:<pág> | cur:modos → cur:l:<filtro>:<pág>
    → cur:c:<curso>:<filtro>:<pág> → cur:s:<sesión> → cur:si:<sesión> | cur:espera:<sesión>

Filtros: "-" (todos), "t.<tema>", "m.<modalidad>", "r.<región>", "u.<clave de municipio>".
Inscribirse lo hace `nucleo.capacitacion` (cupo exacto, recordatorios, lista de espera).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from telegram import Update

from interfaz.cursos import acepto, boton_avisame, nombre_y_fecha, pedir_permiso, tarjeta
from interfaz.paginas import POR_PAGINA, navegacion, paginar, pie_pagina
from interfaz.respuestas import Boton, avisar, boton_menu, mostrar, responder, teclado
from nucleo.almacen.cursos import ResultadoInscripcion, Sesion
from nucleo.contenido import Contenido, Curso
from nucleo.contexto import Contexto
from nucleo.municipios import normalizar
from nucleo.tarjetas import boton_fecha, que_necesitas, tarjeta_html
from nucleo.textos import Traductor
from nucleo.vocabulario import (
    ICONO_MODALIDAD,
    MODALIDADES_DE_SESION,
    NOMBRE_MODALIDAD,
    TEMAS,
    EstadoInscripcion,
    EstadoSesion,
    Inscribir,
    Modalidad,
)


def nombre_modalidad(_: Traductor, modalidad: Modalidad) -> str:
    return f"{ICONO_MODALIDAD[modalidad]} {_(NOMBRE_MODALIDAD[modalidad])}"


# --- filtros --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filtro:
    tipo: str  # "-", "t" tema, "m" modalidad, "r" región, "u" municipio
    valor: str = ""
    municipios: tuple[str, ...] = ()  # para "r" y "u"

    @property
    def codigo(self) -> str:
        return "-" if self.tipo == "-" else f"{self.tipo}.{self.valor}"


def slug_region(region: str) -> str:
    return normalizar(region).replace(" ", "_")[:24]


def regiones(contenido: Contenido) -> dict[str, tuple[str, tuple[str, ...]]]:
    """slug → (nombre de la región, claves de sus municipios). Vacío si nadie las llenó."""
    encontradas: dict[str, tuple[str, list[str]]] = {}
    for municipio in contenido.municipios:
        if municipio.region and municipio.region.strip():
            slug = slug_region(municipio.region)
            encontradas.setdefault(slug, (municipio.region.strip(), []))[1].append(
                municipio.clave)
    return {slug: (nombre, tuple(claves)) for slug, (nombre, claves) in encontradas.items()}


def leer_filtro(codigo: str, contenido: Contenido) -> Filtro | None:
    """El filtro de un callback_data, o None si no es válido (dato viejo o inventado)."""
    if codigo == "-":
        return Filtro("-")
    tipo, _, valor = codigo.partition(".")
    if tipo == "t" and valor in TEMAS:
        return Filtro("t", valor)
    if tipo == "m" and valor in MODALIDADES_DE_SESION:
        return Filtro("m", valor)
    if tipo == "r" and valor in (encontradas := regiones(contenido)):
        return Filtro("r", valor, encontradas[valor][1])
    if tipo == "u" and contenido.municipios.por_clave(valor) is not None:
        return Filtro("u", valor, (valor,))
    return None


def titulo_filtro(_: Traductor, contenido: Contenido, filtro: Filtro) -> str:
    if filtro.tipo == "t":
        return _("Cursos del tema: {tema}").format(tema=_(TEMAS[filtro.valor]))
    if filtro.tipo == "m":
        return _("Cursos con modalidad: {modalidad}").format(
            modalidad=nombre_modalidad(_, Modalidad(filtro.valor)))
    if filtro.tipo == "r":
        return _("Cursos en la región {region}").format(
            region=escape(regiones(contenido)[filtro.valor][0]))
    if filtro.tipo == "u":
        municipio = contenido.municipios.por_clave(filtro.valor)
        return _("Cursos en {municipio}").format(municipio=escape(municipio.nombre))
    return _("Todos los cursos")


async def sesiones_del_filtro(contexto: Contexto, filtro: Filtro,
                              curso_id: str | None = None) -> list[Sesion]:
    """Las fechas próximas que cumplen el filtro (y el curso, si se da)."""
    ahora = contexto.reloj.ahora()
    if filtro.tipo == "m":
        return await contexto.almacen.sesiones_proximas(ahora, curso_id=curso_id,
                                                        modalidad=filtro.valor)
    if filtro.tipo in ("r", "u"):
        return await contexto.almacen.sesiones_proximas(
            ahora, curso_id=curso_id, modalidad="presencial", municipios=filtro.municipios)
    return await contexto.almacen.sesiones_proximas(ahora, curso_id=curso_id)


# --- buscar ----------------------------------------------------------------------------------

async def inicio(update: Update, contexto: Contexto) -> None:
    """/cursos, el botón del menú y «Otra búsqueda»."""
    _ = contexto.traductor
    if not contexto.catalogo.cursos:  # una instalación nueva: el personal aún no los crea
        texto = _("<b>Cursos</b> 📚\nTodavía no hay cursos aquí: el personal de la Secretaría "
                  "los está preparando. Vuelve pronto. Si tienes una duda, escribe a una "
                  "persona asesora.")
        await responder(update, texto, teclado([(_("💬 Hablar con una persona asesora"),
                                                 "menu:asesoria")], [boton_menu(_)]))
        return
    if await contexto.almacen.sesiones_proximas(contexto.reloj.ahora()):
        texto = _("<b>Cursos</b> 📚\nAprende a trabajar por tu cuenta o en cooperativa. "
                  "¿Cómo quieres buscar?")
        filas = [
            [(_("📖 Por tema"), "cur:temas")],
            [(_("📍 Por lugar"), "cur:lugares:0")],
            [(_("💻 Presencial o en línea"), "cur:modos")],
            [(_("📋 Ver todos los cursos"), "cur:l:-:0")],
        ]
    else:  # sin ninguna fecha, buscar por tema o lugar solo lleva a «no hay fechas»
        texto = _("<b>Cursos</b> 📚\nPor ahora no hay fechas de ningún curso. Si quieres, "
                  "te aviso aquí cuando haya. También puedes ver de qué trata cada uno.")
        filas = [[boton_avisame(_)], [(_("📋 Ver todos los cursos"), "cur:l:-:0")]]
    if await acepto(contexto, update.effective_user.id):
        filas.append([(_("🗓️ Mis cursos"), "mc:lista")])
    await responder(update, texto, teclado(*filas, [boton_menu(_)]))


async def temas(update: Update, contexto: Contexto) -> None:
    """cur:temas: los temas que tienen cursos en el catálogo."""
    _ = contexto.traductor
    filas = [[(_(nombre), f"cur:l:t.{tema}:0")] for tema, nombre in TEMAS.items()
             if any(c.tema == tema for c in contexto.catalogo.cursos)]
    await responder(update, _("¿De qué tema?"),
                    teclado(*filas, [(_("⬅️ Otra búsqueda"), "cur:inicio")]))


async def modos(update: Update, contexto: Contexto) -> None:
    """cur:modos: presencial o en línea."""
    _ = contexto.traductor
    texto = _("¿Cómo prefieres tomar el curso?\n\n"
              "🏫 <b>Presencial</b>: vas a un lugar en tu región.\n"
              "💻 <b>En línea</b>: desde tu celular, con internet.")
    filas = [[(nombre_modalidad(_, modo), f"cur:l:m.{modo}:0")] for modo in MODALIDADES_DE_SESION]
    await responder(update, texto, teclado(*filas, [(_("⬅️ Otra búsqueda"), "cur:inicio")]))


async def lugares(update: Update, contexto: Contexto) -> None:
    """Regiones (si el personal las llenó en municipios.csv) o municipios con grupos."""
    _ = contexto.traductor
    pagina = int(update.callback_query.data.rsplit(":", 1)[1])
    opciones = await _opciones_de_lugar(contexto, update.effective_user.id)
    visibles, pagina, total = paginar(opciones, pagina)
    if opciones:
        texto = _("¿Dónde quieres tomar el curso? Entre paréntesis, cuántas fechas hay.")
    else:
        texto = _("Por ahora no hay grupos presenciales con fecha. Mira los cursos en línea "
                  "o vuelve pronto.")
    texto += pie_pagina(_, pagina, total)
    filas = [[boton] for boton in visibles]
    filas.append(navegacion(_, "cur:lugares:{p}", pagina, total))
    filas.append([(_("💻 En línea, desde donde estés"), "cur:l:m.en_linea:0")])
    filas.append([(_("⬅️ Otra búsqueda"), "cur:inicio")])
    await responder(update, texto, teclado(*filas))


async def _opciones_de_lugar(contexto: Contexto, telegram_id: int) -> list[Boton]:
    _ = contexto.traductor
    contenido = contexto.contenido
    sesiones = await contexto.almacen.sesiones_proximas(contexto.reloj.ahora(),
                                                        modalidad="presencial")
    por_region = regiones(contenido)
    cuentas: dict[str, int] = {}
    for sesion in sesiones:
        municipio = contenido.municipios.por_clave(sesion.municipio_clave or "")
        if municipio is None:
            continue
        codigo = _codigo_lugar(municipio.clave, municipio.region, por_region)
        cuentas[codigo] = cuentas.get(codigo, 0) + 1
    cercano = await _lugar_cercano(contexto, telegram_id, por_region)
    opciones = []
    if cercano is not None:
        texto = _("📍 Cerca de ti: {lugar}").format(lugar=_nombre_lugar(contenido, cercano))
        opciones.append((f"{texto} ({cuentas.get(cercano, 0)})", f"cur:l:{cercano}:0"))
    otros = sorted((c for c in cuentas if c != cercano),
                   key=lambda c: normalizar(_nombre_lugar(contenido, c)))
    opciones += [(f"{_nombre_lugar(contenido, c)} ({cuentas[c]})", f"cur:l:{c}:0")
                 for c in otros]
    return opciones


def _codigo_lugar(clave: str, region: str | None, por_region: dict) -> str:
    if por_region and region and region.strip():
        return f"r.{slug_region(region)}"
    return f"u.{clave}"


def _nombre_lugar(contenido: Contenido, codigo: str) -> str:
    tipo, _, valor = codigo.partition(".")
    if tipo == "r":
        return regiones(contenido)[valor][0]
    municipio = contenido.municipios.por_clave(valor)
    return municipio.nombre if municipio else valor


async def _lugar_cercano(contexto: Contexto, telegram_id: int, por_region: dict) -> str | None:
    """La región (o el municipio) del perfil de la persona, si lo dio."""
    perfil = await contexto.almacen.perfil(telegram_id)
    if perfil is None or not perfil.municipio_clave:
        return None
    municipio = contexto.contenido.municipios.por_clave(perfil.municipio_clave)
    if municipio is None:
        return None
    return _codigo_lugar(municipio.clave, municipio.region, por_region)


async def lista(update: Update, contexto: Contexto) -> None:
    """Los cursos de un filtro, con cuántas fechas tiene cada uno."""
    _ = contexto.traductor
    _cur, _l, codigo, pagina_texto = update.callback_query.data.split(":")
    filtro = leer_filtro(codigo, contexto.contenido)
    if filtro is None:
        await ya_no_sirve(update, contexto)
        return
    cursos = await _cursos_del_filtro(contexto, filtro)
    visibles, pagina, total = paginar(cursos, int(pagina_texto))
    texto = f"<b>{titulo_filtro(_, contexto.contenido, filtro)}</b>\n"
    if cursos:
        texto += _("Elige un curso para ver de qué trata y sus fechas. "
                   "🗓️ = tiene fechas para inscribirte.")
    else:
        texto += _("Por ahora no hay fechas aquí. Busca de otra forma o vuelve pronto.")
    texto += pie_pagina(_, pagina, total)
    filas = [[(_boton_curso(_, curso, fechas),
               f"cur:c:{curso.id}:{filtro.codigo}:0")] for curso, fechas in visibles]
    filas.append(navegacion(_, f"cur:l:{filtro.codigo}:{{p}}", pagina, total))
    filas.append([(_("⬅️ Otra búsqueda"), "cur:inicio")])
    await responder(update, texto, teclado(*filas))


def _boton_curso(_: Traductor, curso: Curso, fechas: int) -> str:
    return f"🗓️ {_(curso.nombre)} ({fechas})" if fechas else _(curso.nombre)


async def _cursos_del_filtro(contexto: Contexto, filtro: Filtro) -> list[tuple[Curso, int]]:
    """(curso, cuántas fechas) en el orden del catálogo, primero los que tienen fechas."""
    cuentas: dict[str, int] = {}
    for sesion in await sesiones_del_filtro(contexto, filtro):
        cuentas[sesion.curso_id] = cuentas.get(sesion.curso_id, 0) + 1
    cursos = []
    for curso in contexto.catalogo.cursos:
        if filtro.tipo == "t" and curso.tema != filtro.valor:
            continue
        if filtro.tipo in ("m", "r", "u") and not cuentas.get(curso.id):
            continue
        cursos.append((curso, cuentas.get(curso.id, 0)))
    return sorted(cursos, key=lambda par: par[1] == 0)


async def ver_curso(update: Update, contexto: Contexto) -> None:
    """De qué trata, requisitos y las fechas próximas (6 por página), cada una con su botón."""
    _ = contexto.traductor
    _cur, _c, curso_id, codigo, pagina_texto = update.callback_query.data.split(":")
    curso = contexto.catalogo.vigente(curso_id)  # uno desactivado ya no se ofrece
    filtro = leer_filtro(codigo, contexto.contenido)
    if curso is None or filtro is None:
        await ya_no_sirve(update, contexto)
        return
    sesiones = await sesiones_del_filtro(contexto, filtro, curso.id)
    visibles, pagina, total = paginar(sesiones, int(pagina_texto))
    texto = _texto_curso(_, curso, completo=pagina == 0)
    texto += "\n\n" + _fechas(contexto, sesiones, visibles, pagina, filtro)
    texto += pie_pagina(_, pagina, total)
    zona = contexto.config.zona_horaria
    filas = [[(boton_fecha(_, zona, contexto.contenido, n, sesion), f"cur:s:{sesion.id}")]
             for n, sesion in enumerate(visibles, pagina * POR_PAGINA + 1)]
    filas.append(navegacion(_, f"cur:c:{curso.id}:{filtro.codigo}:{{p}}", pagina, total))
    if filtro.tipo not in ("-", "t"):
        filas.append([(_("🗓️ Ver todas sus fechas"), f"cur:c:{curso.id}:-:0")])
    elif not sesiones:  # sin ninguna fecha del curso: se ofrece avisar cuando haya
        filas.append([boton_avisame(_, curso.id)])
    filas.append([(_("⬅️ Volver a la lista"), f"cur:l:{filtro.codigo}:0")])
    await mostrar(update, texto, filas)


def requisitos(_: Traductor, curso: Curso) -> str:
    return que_necesitas(_, curso.requisitos)


def _texto_curso(_: Traductor, curso: Curso, *, completo: bool) -> str:
    titulo = f"<b>{escape(_(curso.nombre))}</b>"
    if not completo:  # en las páginas siguientes, solo las fechas
        return titulo
    horas = _("Duración: {n} horas").format(n=curso.duracion_horas)
    return f"{titulo}\n{_(curso.descripcion)}\n\n{requisitos(_, curso)}\n{horas}"


def _fechas(contexto: Contexto, sesiones: list[Sesion], visibles: Sequence[Sesion],
            pagina: int, filtro: Filtro) -> str:
    _ = contexto.traductor
    zona = contexto.config.zona_horaria
    if not sesiones:
        if filtro.tipo in ("-", "t"):
            return _("Todavía no hay fechas para este curso. Si quieres, te aviso aquí "
                     "cuando haya.")
        return _("No hay fechas con lo que buscaste. Mira todas sus fechas.")
    bloques = [_("<b>Próximas fechas</b> (elige una para inscribirte):")]
    primera = pagina * POR_PAGINA + 1
    for i, sesion in enumerate(visibles):
        bloques.append(f"<b>{primera + i}.</b> "
                       + tarjeta_html(_, zona, contexto.contenido, sesion, lugares=sesion))
    return "\n\n".join(bloques)


# --- inscribirse -------------------------------------------------------------------------------

async def ver_sesion(update: Update, contexto: Contexto) -> None:
    """Una fecha: sus datos y la pregunta «¿te inscribo?» (o «¿te anoto en la espera?»)."""
    _ = contexto.traductor
    sesion_id = int(update.callback_query.data.rsplit(":", 1)[1])
    sesion = await contexto.almacen.sesion(sesion_id)
    motivo = _motivo_no_disponible(contexto, sesion)
    if motivo is not None:
        await no_disponible(update, contexto, motivo)
        return
    usuario_id = update.effective_user.id
    if not await acepto(contexto, usuario_id):
        await pedir_permiso(update, contexto, sesion_id=sesion.id)
        return
    previa = await contexto.almacen.inscripcion_activa(sesion.id, usuario_id)
    if previa is not None:
        codigo = (Inscribir.YA_INSCRITA if previa.estado == EstadoInscripcion.INSCRITA
                  else Inscribir.YA_EN_ESPERA)
        await _ya_estabas(update, contexto, codigo, previa.posicion_espera)
        return
    await _pedir_confirmacion(update, contexto, sesion)


async def _pedir_confirmacion(update: Update, contexto: Contexto, sesion: Sesion) -> None:
    _ = contexto.traductor
    curso = contexto.catalogo.curso(sesion.curso_id)
    texto = tarjeta(contexto, sesion, con_lugares=True)
    if curso is not None:
        texto += "\n\n" + requisitos(_, curso)
    regresar = (_("⬅️ No, regresar"), f"cur:c:{sesion.curso_id}:-:0")
    if sesion.lugares_libres > 0:
        texto += "\n\n" + _("¿Te inscribo en esta fecha?")
        si = (_("✅ Sí, inscribirme"), f"cur:si:{sesion.id}")
    else:
        texto += "\n\n" + _("Este grupo ya está lleno. ¿Quieres anotarte en la lista de espera? "
                            "Serías la persona número {n}. Si alguien deja su lugar, "
                            "te aviso al momento.").format(n=sesion.en_espera + 1)
        si = (_("📝 Sí, anotarme en la espera"), f"cur:espera:{sesion.id}")
    await mostrar(update, texto, [[si], [regresar]])


async def inscribir(update: Update, contexto: Contexto) -> None:
    """«Sí, inscribirme» (cur:si, solo si hay lugar) o «Sí, anotarme» (cur:espera)."""
    _accion, tipo, sesion_texto = update.callback_query.data.split(":")
    usuario_id = update.effective_user.id
    if not await acepto(contexto, usuario_id):
        await pedir_permiso(update, contexto, sesion_id=int(sesion_texto))
        return
    resultado = await contexto.capacitacion.inscribir(int(sesion_texto), usuario_id,
                                                      permitir_espera=tipo == "espera")
    await _contar_resultado(update, contexto, int(sesion_texto), resultado)


async def _contar_resultado(update: Update, contexto: Contexto, sesion_id: int,
                            resultado: ResultadoInscripcion) -> None:
    _ = contexto.traductor
    sesion = await contexto.almacen.sesion(sesion_id)
    if resultado.codigo in (Inscribir.NO_EXISTE, Inscribir.PASADA, Inscribir.SESION_CANCELADA):
        await no_disponible(update, contexto, resultado.codigo)
    elif resultado.codigo == Inscribir.SIN_PERMISO:
        await pedir_permiso(update, contexto, sesion_id=sesion_id)
    elif resultado.codigo in (Inscribir.YA_INSCRITA, Inscribir.YA_EN_ESPERA):
        await _ya_estabas(update, contexto, resultado.codigo, resultado.posicion_espera)
    elif resultado.codigo == Inscribir.LLENA:
        texto = _("Perdón, justo se acabaron los lugares de esta fecha. ¿Quieres anotarte en la "
                  "lista de espera? Serías la persona número {n}.").format(
            n=resultado.posicion_espera)
        await responder(update, texto, teclado(
            [(_("📝 Sí, anotarme en la espera"), f"cur:espera:{sesion_id}")],
            [(_("⬅️ No, ver otras fechas"), f"cur:c:{sesion.curso_id}:-:0")]))
    elif resultado.codigo == Inscribir.INSCRITA:
        await _inscrita(update, contexto, sesion, resultado.inscripcion_id)
    elif resultado.codigo == Inscribir.ESPERA:
        texto = _("Listo, estás en la lista de espera. 📝\nTu lugar en la fila: <b>{n}</b>.\n\n"
                  "Si alguien deja su lugar, te aviso al momento.").format(
            n=resultado.posicion_espera)
        await responder(update, f"{texto}\n\n{_titulo_y_fecha(contexto, sesion)}",
                        teclado([(_("🗓️ Mis cursos"), "mc:lista")], [boton_menu(_)]))


async def _inscrita(update: Update, contexto: Contexto, sesion: Sesion,
                    inscripcion_id: int) -> None:
    _ = contexto.traductor
    # El recordatorio se promete solo si de verdad hay uno en camino: con la sesión muy cerca
    # (todos los momentos ya pasaron) o con los recordatorios apagados, no se dice.
    planes = contexto.capacitacion.planes(contexto.reloj.ahora())(sesion.inicio)
    habra_recordatorio = bool(planes) and await contexto.almacen.recordatorios_activos(
        update.effective_user.id)
    cierre = (_("Te mando un recordatorio antes. Si ya no puedes ir, avísame en "
                "/mis_cursos: así tu lugar pasa a otra persona.") if habra_recordatorio
              else _("Si ya no puedes ir, avísame en /mis_cursos: así tu lugar pasa a otra "
                     "persona."))
    texto = (_("¡Listo! Tienes tu lugar. ✅") + "\n\n"
             + tarjeta(contexto, sesion, con_enlace=True) + "\n\n" + cierre)
    await mostrar(update, texto, [
        [(_("📅 Guardar en mi calendario"), f"mc:ics:{inscripcion_id}")],
        [(_("🗓️ Mis cursos"), "mc:lista")], [boton_menu(_)]])


def _titulo_y_fecha(contexto: Contexto, sesion: Sesion) -> str:
    _ = contexto.traductor
    nombre, fecha = nombre_y_fecha(contexto, _, sesion)
    return f"<b>{escape(nombre)}</b>\n🗓️ {fecha}"


async def _ya_estabas(update: Update, contexto: Contexto, codigo: str,
                      posicion: int | None) -> None:
    _ = contexto.traductor
    if codigo == Inscribir.YA_INSCRITA:
        texto = _("Ya tienes tu lugar en esta fecha. ✅ Puedes verla en /mis_cursos.")
    else:
        texto = _("Ya estás en la lista de espera de esta fecha. Tu lugar en la fila: {n}."
                  ).format(n=posicion)
    await responder(update, texto, teclado([(_("🗓️ Mis cursos"), "mc:lista")],
                                           [boton_menu(_)]))


def _motivo_no_disponible(contexto: Contexto, sesion: Sesion | None) -> Inscribir | None:
    if sesion is None or contexto.catalogo.curso(sesion.curso_id) is None:
        return Inscribir.NO_EXISTE
    if sesion.estado != EstadoSesion.PROGRAMADA:
        return Inscribir.SESION_CANCELADA
    if sesion.inicio <= contexto.reloj.ahora():
        return Inscribir.PASADA
    return None


async def no_disponible(update: Update, contexto: Contexto, motivo: Inscribir) -> None:
    """Una fecha que ya pasó, se canceló o no existe: lo decimos, no cambia nada."""
    _ = contexto.traductor
    textos = {
        Inscribir.PASADA: _("Esa fecha ya pasó. Mira las fechas que siguen abiertas."),
        Inscribir.SESION_CANCELADA: _("Esa fecha se canceló. Perdón por el cambio. "
                                      "Mira las otras fechas."),
    }
    texto = textos.get(motivo, _("No encontré esa fecha. Mira las fechas que siguen abiertas."))
    await avisar(update, texto)
    await responder(update, texto, teclado([(_("📚 Ver los cursos"), "cur:inicio")],
                                           [boton_menu(_)]), editar=False)


async def ya_no_sirve(update: Update, contexto: Contexto) -> None:
    """Un botón con datos que ya no valen (un curso que salió del catálogo, un filtro viejo)."""
    _ = contexto.traductor
    texto = _("Ese botón ya no funciona. Busquemos otra vez:")
    await avisar(update, _("Ese botón ya no funciona."))
    await responder(update, texto, teclado([(_("📚 Ver los cursos"), "cur:inicio")],
                                           [boton_menu(_)]), editar=False)
