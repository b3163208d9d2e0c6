"""El personal escribe un anuncio (/anuncio) o cambia uno programado (desde /anuncios).

    TEXTO → MEDIO → AUDIENCIA → [ELEGIR | MUNICIPIOS] → CONFIRMAR
    CONFIRMAR [📤 Enviar ahora → fin | 🕒 Programar → FECHA → HORA → fin |
               ✏️ Cambiar el texto → TEXTO | 👥 Cambiar a quién → AUDIENCIA | ✖️ Cancelar → fin]

El texto conserva el formato de Telegram (negritas, cursivas, enlaces): se guarda su HTML
(`text_html` o `caption_html`) y así se manda. Con foto o documento el texto va como pie (hasta
1024 caracteres); sin medio, hasta 4096. Antes de confirmar, el personal ve cuántas personas lo
recibirán y una vista previa idéntica a lo que les llegará (mismo HTML, mismo medio).

Lo capturado se guarda al momento en el borrador del personal en la base (como los flujos de
sesiones): un reinicio a media captura no lo pierde. Cada handler pasa por `solo_personal`;
crear, cambiar y cancelar los hace `servicios.anuncios` (nucleo/anuncios.py), que también los
anota en la bitácora.

Botones: «anun:...». Entrar: /anuncio, «anun:nuevo», «anun:editar:<id>» (cambiar uno
programado) y «anun:fecha:<id>» (solo su fecha y hora).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversaciones.comun import Paso, interrumpir, repetir_paso, salidas
from interfaz.anuncios import (
    NOMBRE_TIPO,
    botones_de_avance,
    describir_audiencia,
    limite_de_texto,
    mandar_como_anuncio,
    tarjeta_de_avance,
)
from interfaz.municipios import filas_de_sugerencias
from interfaz.personal import boton_menu_personal, solo_personal
from interfaz.respuestas import Boton, quitar_botones, responder, teclado
from nucleo.anuncios import Audiencia, Borrador, largo_visible
from nucleo.contexto import Contexto
from nucleo.fechas import fecha_y_hora
from nucleo.reglas_sesion import DatoInvalido, leer_fecha, leer_hora, momento_de_inicio
from nucleo.tarjetas import etiqueta_boton_personal
from nucleo.textos import NOMBRES_IDIOMAS
from nucleo.vocabulario import EstadoAnuncio, MedioAnuncio, TipoAudiencia

TEXTO, MEDIO, AUDIENCIA, ELEGIR, MUNICIPIOS, CONFIRMAR, FECHA, HORA = range(8)
ESCRITOS = (TEXTO, MUNICIPIOS, FECHA, HORA)
ESCRITO = filters.TEXT & ~filters.COMMAND
ARCHIVO = filters.PHOTO | filters.Document.ALL
SESIONES_A_ELEGIR = 20  # las próximas sesiones que se ofrecen
DIAS_ATRAS = timedelta(days=3)  # y las de los últimos días (para avisar a quien fue)
_VALOR_EN_BOTON = re.compile(r"[\w.-]{1,40}", re.ASCII)


# --- el borrador -------------------------------------------------------------------------------

async def _borrador(update: Update, contexto: Contexto) -> dict[str, Any]:
    datos = await contexto.almacen.borrador(update.effective_user.id) or {}
    return datos if datos.get("accion") == "anuncio" else {}


async def _anotar(update: Update, contexto: Contexto, **datos: Any) -> dict[str, Any]:
    completo = {**await _borrador(update, contexto), "accion": "anuncio", **datos}
    await contexto.almacen.guardar_borrador(update.effective_user.id, completo,
                                            contexto.reloj.ahora())
    return completo


async def _empezar(update: Update, contexto: Contexto, **datos: Any) -> dict[str, Any]:
    await contexto.almacen.guardar_borrador(update.effective_user.id,
                                            {"accion": "anuncio", **datos},
                                            contexto.reloj.ahora())
    return {"accion": "anuncio", **datos}


def _audiencia(d: dict[str, Any]) -> Audiencia:
    return Audiencia(TipoAudiencia(d["tipo"]), tuple(d.get("valores") or ()))


def _a_borrador(d: dict[str, Any]) -> Borrador:
    medio = d.get("medio_tipo")
    return Borrador(texto=d["texto"], audiencia=_audiencia(d),
                    medio_tipo=MedioAnuncio(medio) if medio else None,
                    medio_id=d.get("medio_id") if medio else None)


def _del_anuncio(borrador: Borrador) -> dict[str, Any]:
    return {"texto": borrador.texto, "medio_tipo": borrador.medio_tipo,
            "medio_id": borrador.medio_id, "medio_decidido": True,
            "tipo": str(borrador.audiencia.tipo), "valores": list(borrador.audiencia.valores)}


def _salir_boton(_: Any) -> list[Boton]:
    return [(_("✖️ Salir sin guardar"), "anun:salir")]


# --- entrar ------------------------------------------------------------------------------------

async def nuevo(update: Update, contexto: Contexto) -> int:
    """/anuncio o «anun:nuevo» → TEXTO."""
    await _empezar(update, contexto)
    return await preguntar_texto(update, contexto)


async def _programado(update: Update, contexto: Contexto) -> Any:
    """El anuncio del botón «anun:(editar|fecha):<id>» si aún está programado; si no, lo dice y
    devuelve None."""
    _ = contexto.traductor
    anuncio_id = int(update.callback_query.data.rsplit(":", 1)[1])
    anuncio = await contexto.servicios.anuncios.obtener(anuncio_id)
    if anuncio is None or anuncio.estado != EstadoAnuncio.PROGRAMADO:
        await responder(update, _("Ese anuncio ya empezó a salir o se canceló: ya no se puede "
                                  "cambiar."),
                        teclado([(_("📋 Anuncios"), "anuns:lista")]), editar=False)
        return None
    return anuncio


async def editar_programado(update: Update, contexto: Contexto) -> int:
    """«anun:editar:<id>»: el anuncio programado en el borrador → CONFIRMAR (con su vista
    previa y lo que se puede cambiar)."""
    anuncio = await _programado(update, contexto)
    if anuncio is None:
        return ConversationHandler.END
    d = await _empezar(update, contexto, editando=anuncio.id,
                       programado_para=anuncio.programado_para.isoformat()
                       if anuncio.programado_para else None,
                       **_del_anuncio(anuncio.borrador))
    return await confirmar(update, contexto, d)


async def fecha_de_programado(update: Update, contexto: Contexto) -> int:
    """«anun:fecha:<id>»: solo la fecha y la hora de un anuncio programado → FECHA."""
    anuncio = await _programado(update, contexto)
    if anuncio is None:
        return ConversationHandler.END
    await _empezar(update, contexto, editando=anuncio.id, solo_fecha=True,
                   programado_para=anuncio.programado_para.isoformat()
                   if anuncio.programado_para else None,
                   **_del_anuncio(anuncio.borrador))
    return await preguntar_fecha(update, contexto)


# --- el texto y la foto o el documento ---------------------------------------------------------

async def preguntar_texto(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("<b>Nuevo anuncio</b>\nEscribe el texto tal como quieres que se lea. Puedes usar "
              "negritas, cursivas y enlaces. Si lleva una foto o un documento, mándalo con el "
              "texto abajo, como pie.")
    await responder(update, f"{antes}\n\n{texto}".strip(), teclado(_salir_boton(_)))
    return TEXTO


async def preguntar_medio(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("¿Lleva una foto o un documento? Mándalo ahora. Si no, pulsa «Sin foto ni "
              "documento».")
    await responder(update, f"{antes}\n\n{texto}".strip(),
                    teclado([(_("Sin foto ni documento"), "anun:sinmedio")], _salir_boton(_)),
                    editar=False)
    return MEDIO


def _demasiado_largo(_: Any, largo: int, limite: int) -> str:
    if limite == limite_de_texto(None):
        return _("Ese texto tiene {largo} caracteres y Telegram deja hasta {limite} en un "
                 "mensaje. Hazlo más corto, por favor.").format(largo=largo, limite=limite)
    return _("Con una foto o un documento, el texto va abajo como pie y Telegram deja hasta "
             "{limite} caracteres. El tuyo tiene {largo}. Escribe uno más corto, o manda el "
             "anuncio sin foto ni documento.").format(largo=largo, limite=limite)


async def recibir_texto(update: Update, contexto: Contexto) -> int:
    """El texto escrito (con su formato) → lo que falte."""
    _ = contexto.traductor
    mensaje = update.effective_message
    d = await _borrador(update, contexto)
    limite = limite_de_texto(d.get("medio_tipo"))
    if len(mensaje.text) > limite:
        await responder(update, _demasiado_largo(_, len(mensaje.text), limite), editar=False)
        return MEDIO if d.get("texto") and not d.get("medio_decidido") else TEXTO
    d = await _anotar(update, contexto, texto=mensaje.text_html)
    return await siguiente(update, contexto, d)


async def recibir_medio(update: Update, contexto: Contexto) -> int:
    """Una foto o un documento (con o sin pie) → lo que falte."""
    _ = contexto.traductor
    mensaje = update.effective_message
    if mensaje.photo:
        medio, medio_id = MedioAnuncio.FOTO, mensaje.photo[-1].file_id
    else:
        medio, medio_id = MedioAnuncio.DOCUMENTO, mensaje.document.file_id
    d = await _borrador(update, contexto)
    texto = mensaje.caption_html if mensaje.caption else d.get("texto")
    if texto and largo_visible(texto) > limite_de_texto(medio):
        await preguntar_medio(update, contexto, _demasiado_largo(
            _, largo_visible(texto), limite_de_texto(medio)))
        return MEDIO
    d = await _anotar(update, contexto, medio_tipo=str(medio), medio_id=medio_id,
                      medio_decidido=True, texto=texto)
    return await siguiente(update, contexto, d)


async def sin_medio(update: Update, contexto: Contexto) -> int:
    """«Sin foto ni documento» → lo que falte."""
    await quitar_botones(update)
    d = await _anotar(update, contexto, medio_tipo=None, medio_id=None, medio_decidido=True)
    return await siguiente(update, contexto, d)


async def siguiente(update: Update, contexto: Contexto, d: dict[str, Any]) -> int:
    """Lo que falta del anuncio: el texto, el medio, a quién va o, si ya está todo, la vista
    previa."""
    _ = contexto.traductor
    if not d.get("texto"):
        if d.get("medio_tipo"):
            await responder(update, _("Recibí el archivo. Ahora escribe el texto del anuncio; "
                                      "irá abajo, como pie."),
                            teclado(_salir_boton(_)), editar=False)
            return TEXTO
        return await preguntar_texto(update, contexto)
    if not d.get("medio_decidido"):
        return await preguntar_medio(update, contexto)
    if not d.get("tipo"):
        return await preguntar_audiencia(update, contexto)
    return await confirmar(update, contexto, d)


# --- a quién va --------------------------------------------------------------------------------

def _tipos(contexto: Contexto) -> list[TipoAudiencia]:
    """Los tipos de audiencia; por región solo si el personal llenó las regiones."""
    con_regiones = any(m.region for m in contexto.contenido.municipios)
    return [t for t in TipoAudiencia if t != TipoAudiencia.REGIONES or con_regiones]


async def preguntar_audiencia(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    botones = [[(_(NOMBRE_TIPO[t]), f"anun:aud:{t}")] for t in _tipos(contexto)]
    texto = _("¿A quién le llega?")
    await responder(update, f"{antes}\n\n{texto}".strip(), teclado(*botones, _salir_boton(_)),
                    editar=False)
    return AUDIENCIA


async def elegir_tipo(update: Update, contexto: Contexto) -> int:
    """«anun:aud:<tipo>» → CONFIRMAR (todas), MUNICIPIOS o ELEGIR."""
    valor = update.callback_query.data.rsplit(":", 1)[1]
    if valor not in {str(t) for t in _tipos(contexto)}:
        return await repetir(AUDIENCIA)(update, contexto)
    tipo = TipoAudiencia(valor)
    d = await _anotar(update, contexto, tipo=str(tipo), valores=[])
    if tipo == TipoAudiencia.TODOS:
        return await confirmar(update, contexto, d)
    await quitar_botones(update)
    if tipo == TipoAudiencia.MUNICIPIOS:
        return await preguntar_municipio(update, contexto)
    return await mostrar_opciones(update, contexto, d, editar=False)


async def _opciones(contexto: Contexto, tipo: TipoAudiencia) -> list[tuple[str, str]]:
    """(valor, cómo se ve) de cada opción de un tipo de audiencia."""
    _ = contexto.traductor
    contenido = contexto.contenido
    if tipo == TipoAudiencia.REGIONES:
        return [(r, r) for r in sorted({m.region for m in contenido.municipios if m.region})]
    if tipo == TipoAudiencia.CURSO:
        return [(c.id, _(c.nombre)) for c in contenido.cursos]
    if tipo == TipoAudiencia.SESION:
        sesiones = await contexto.almacen.sesiones_para_personal(
            contexto.reloj.ahora() - DIAS_ATRAS, SESIONES_A_ELEGIR)
        zona = contexto.config.zona_horaria
        return [(str(s.id), etiqueta_boton_personal(_, zona, contenido, s)) for s in sesiones]
    if tipo == TipoAudiencia.PASO_COOPERATIVA:
        return [(p.id, _(p.titulo)) for p in contenido.cooperativa.pasos]
    if tipo == TipoAudiencia.IDIOMA:
        return list(NOMBRES_IDIOMAS.items())
    if tipo == TipoAudiencia.RESULTADO:
        return [(clave, _(r.titulo)) for clave, r in contenido.orientacion.resultados.items()]
    return []


def _dato_de_boton(valor: str, i: int) -> str:
    """El valor mismo si cabe en un botón; si no (una región con acentos), su número."""
    return f"anun:sel:{valor}" if _VALOR_EN_BOTON.fullmatch(valor) else f"anun:sel:#{i}"


async def mostrar_opciones(update: Update, contexto: Contexto, d: dict[str, Any], antes: str = "",
                           *, editar: bool = True) -> int:
    """Las opciones del tipo elegido; se marcan y desmarcan (✅) → ELEGIR."""
    _ = contexto.traductor
    tipo = TipoAudiencia(d["tipo"])
    elegidos = set(d.get("valores") or ())
    opciones = await _opciones(contexto, tipo)
    if not opciones:
        return await preguntar_audiencia(update, contexto, _("No hay opciones de ese tipo "
                                                             "todavía. Elige otro."))
    botones = [[(("✅ " if valor in elegidos else "▫️ ") + etiqueta[:50],
                 _dato_de_boton(valor, i))] for i, (valor, etiqueta) in enumerate(opciones)]
    texto = _("<b>{tipo}</b>\nMarca una o varias opciones y pulsa «Listo».").format(
        tipo=escape(_(NOMBRE_TIPO[tipo])))
    await responder(update, f"{antes}\n\n{texto}".strip(), teclado(
        *botones, [(_("✅ Listo"), "anun:listo"), (_("👥 Otro tipo"), "anun:audiencia")],
        _salir_boton(_)), editar=editar)
    return ELEGIR


async def alternar_opcion(update: Update, contexto: Contexto) -> int:
    """«anun:sel:<valor>» o «anun:sel:#<n>»: marca o desmarca → ELEGIR."""
    d = await _borrador(update, contexto)
    if not d.get("tipo"):
        return await perdido(update, contexto)
    dato = update.callback_query.data.removeprefix("anun:sel:")
    opciones = await _opciones(contexto, TipoAudiencia(d["tipo"]))
    if dato.startswith("#") and dato[1:].isdigit() and int(dato[1:]) < len(opciones):
        valor: str | None = opciones[int(dato[1:])][0]
    else:
        valor = dato if any(v == dato for v, _e in opciones) else None
    if valor is None:  # un botón inventado o de otra lista
        return await mostrar_opciones(update, contexto, d)
    valores = list(d.get("valores") or ())
    valores = [v for v in valores if v != valor] if valor in valores else [*valores, valor]
    d = await _anotar(update, contexto, valores=valores)
    return await mostrar_opciones(update, contexto, d)


async def listo(update: Update, contexto: Contexto) -> int:
    """«anun:listo» → CONFIRMAR (si eligió al menos una opción)."""
    _ = contexto.traductor
    d = await _borrador(update, contexto)
    if not d.get("tipo"):
        return await perdido(update, contexto)
    if not d.get("valores"):
        aviso = _("Elige al menos una opción.")
        if d["tipo"] == TipoAudiencia.MUNICIPIOS:
            return await preguntar_municipio(update, contexto, aviso)
        return await mostrar_opciones(update, contexto, d, aviso)
    return await confirmar(update, contexto, d)


async def preguntar_municipio(update: Update, contexto: Contexto, antes: str = "") -> int:
    """Los municipios elegidos hasta ahora; se escribe el nombre de otro → MUNICIPIOS."""
    _ = contexto.traductor
    d = await _borrador(update, contexto)
    elegidos = [contexto.contenido.municipios.por_clave(c) for c in d.get("valores") or ()]
    nombres = ", ".join(escape(m.nombre) for m in elegidos if m)
    if nombres:
        texto = _("Municipios elegidos: <b>{nombres}</b>.\nEscribe el nombre de otro municipio "
                  "o pulsa «Listo».").format(nombres=nombres)
        filas = [[(_("✅ Listo"), "anun:listo"), (_("🗑️ Quitar el último"), "anun:quitar")]]
    else:
        texto = _("Escribe el nombre de un municipio. Después puedes agregar otros.")
        filas = []
    await responder(update, f"{antes}\n\n{texto}".strip(),
                    teclado(*filas, [(_("👥 Otro tipo"), "anun:audiencia")], _salir_boton(_)),
                    editar=False)
    return MUNICIPIOS


async def _agregar_municipio(update: Update, contexto: Contexto, clave: str) -> int:
    _ = contexto.traductor
    d = await _borrador(update, contexto)
    valores = list(d.get("valores") or ())
    if clave not in valores:
        valores.append(clave)
    await _anotar(update, contexto, valores=valores)
    municipio = contexto.contenido.municipios.por_clave(clave)
    return await preguntar_municipio(update, contexto, _("Agregué {nombre} ✅").format(
        nombre=escape(municipio.nombre if municipio else clave)))


async def buscar_municipio(update: Update, contexto: Contexto) -> int:
    """El nombre escrito: exacto → se agrega; dudoso → «¿Quisiste decir…?» (como en el perfil)."""
    _ = contexto.traductor
    busqueda = contexto.contenido.municipios.buscar(update.effective_message.text)
    if busqueda.exacto is not None:
        return await _agregar_municipio(update, contexto, busqueda.exacto.clave)
    if not busqueda.sugerencias:
        return await preguntar_municipio(update, contexto, _(
            "No encontré ese municipio en Puebla. Revisa cómo se escribe."))
    botones = filas_de_sugerencias(_, busqueda.sugerencias, "anun:mun:")
    await responder(update, _("¿Quisiste decir alguno de estos?"), teclado(*botones),
                    editar=False)
    return MUNICIPIOS


async def elegir_municipio(update: Update, contexto: Contexto) -> int:
    """«anun:mun:<clave>» (una sugerencia) → MUNICIPIOS."""
    clave = update.callback_query.data.rsplit(":", 1)[1]
    await quitar_botones(update)
    if clave == "otra" or contexto.contenido.municipios.por_clave(clave) is None:
        return await preguntar_municipio(update, contexto)
    return await _agregar_municipio(update, contexto, clave)


async def quitar_ultimo(update: Update, contexto: Contexto) -> int:
    """«anun:quitar»: quita el último municipio elegido → MUNICIPIOS."""
    await quitar_botones(update)
    d = await _borrador(update, contexto)
    await _anotar(update, contexto, valores=list(d.get("valores") or ())[:-1])
    return await preguntar_municipio(update, contexto)


async def cambiar_audiencia(update: Update, contexto: Contexto) -> int:
    """«anun:audiencia» → AUDIENCIA."""
    await quitar_botones(update)
    await _anotar(update, contexto, tipo=None, valores=[])
    return await preguntar_audiencia(update, contexto)


async def cambiar_texto(update: Update, contexto: Contexto) -> int:
    """«anun:texto»: el texto (y la foto o el documento) otra vez; a quién va se queda → TEXTO."""
    await quitar_botones(update)
    await _anotar(update, contexto, texto=None, medio_tipo=None, medio_id=None,
                  medio_decidido=False)
    return await preguntar_texto(update, contexto)


# --- la vista previa y confirmar ---------------------------------------------------------------

async def confirmar(update: Update, contexto: Contexto, d: dict[str, Any]) -> int:
    """La vista previa idéntica a lo que llegará, cuántas personas lo recibirán y qué hacer →
    CONFIRMAR."""
    _ = contexto.traductor
    if not d.get("texto") or not d.get("tipo"):
        return await perdido(update, contexto)
    borrador = _a_borrador(d)
    cuantas = await contexto.servicios.anuncios.contar(borrador.audiencia)
    await quitar_botones(update)
    await responder(update, _("Así lo verán:"), editar=False)
    await mandar_como_anuncio(contexto.bot, update.effective_chat.id, borrador)
    lineas = [_.plural("👆 Le llegará a <b>{n} persona</b>.", "👆 Les llegará a <b>{n} "
                       "personas</b>.", cuantas).format(n=cuantas),
              _("A quién: {audiencia}").format(
                  audiencia=describir_audiencia(_, contexto.contenido, borrador.audiencia))]
    editando = d.get("editando")
    if editando and d.get("programado_para"):
        lineas.append(_("Anuncio {n}, programado para el {cuando}.").format(
            n=editando, cuando=fecha_y_hora(datetime.fromisoformat(d["programado_para"]), _,
                                            contexto.config.zona_horaria)))
    if cuantas == 0:
        lineas.append(_("Con esta elección no le llega a nadie. Cambia a quién va."))
        acciones: list[list[Boton]] = []
    elif editando:
        acciones = [[(_("💾 Guardar los cambios"), "anun:guardar")],
                    [(_("🕒 Cambiar la fecha"), "anun:programar"),
                     (_("📤 Enviar ahora"), "anun:enviar")]]
    else:
        acciones = [[(_("📤 Enviar ahora"), "anun:enviar"), (_("🕒 Programar"), "anun:programar")]]
    salir = (_("✖️ Salir sin cambiar") if editando else _("✖️ Cancelar"), "anun:salir")
    await responder(update, "\n".join(lineas), teclado(
        *acciones, [(_("✏️ Cambiar el texto"), "anun:texto"),
                    (_("👥 Cambiar a quién"), "anun:audiencia")], [salir]), editar=False)
    return CONFIRMAR


async def _mandar_tarjeta(update: Update, contexto: Contexto, anuncio_id: int,
                          antes: str) -> None:
    """El mensaje de avance (la tarjeta) que se irá editando en su lugar mientras sale."""
    _ = contexto.traductor
    anuncios = contexto.servicios.anuncios
    anuncio, avance = await anuncios.obtener(anuncio_id), await anuncios.avance(anuncio_id)
    if anuncio is None or avance is None:
        return
    texto = tarjeta_de_avance(_, contexto.config.zona_horaria, anuncio, avance,
                              contexto.reloj.ahora())
    botones = botones_de_avance(_, anuncio_id, avance.estado)
    mensaje = await responder(update, f"{antes}\n\n{texto}",
                              teclado(botones) if botones else None, editar=False)
    if mensaje is not None:
        await anuncios.fijar_mensaje_de_avance(anuncio_id, mensaje.chat_id, mensaje.message_id)


async def enviar(update: Update, contexto: Contexto) -> int:
    """«anun:enviar»: sale ahora (uno nuevo, o uno programado que se adelanta) → fin, con el
    mensaje de avance."""
    _ = contexto.traductor
    d = await _borrador(update, contexto)
    if not d.get("texto") or not d.get("tipo"):
        return await perdido(update, contexto)
    await quitar_botones(update)
    anuncio_id = await _guardar_anuncio(update, contexto, d, None)
    if anuncio_id is None:
        return await _ya_no_se_puede(update, contexto)
    await _mandar_tarjeta(update, contexto, anuncio_id, _(
        "📤 Listo: el anuncio ya está saliendo. Este mensaje se va actualizando; al final te "
        "mando un informe."))
    return ConversationHandler.END


async def guardar(update: Update, contexto: Contexto) -> int:
    """«anun:guardar»: los cambios de un anuncio programado, con su misma fecha → fin."""
    _ = contexto.traductor
    d = await _borrador(update, contexto)
    if not d.get("editando") or not d.get("programado_para") or not d.get("texto"):
        return await perdido(update, contexto)
    cuando = datetime.fromisoformat(d["programado_para"])
    if cuando <= contexto.reloj.ahora():
        return await _ya_no_se_puede(update, contexto)
    return await _programar(update, contexto, d, cuando)


async def _programar(update: Update, contexto: Contexto, d: dict[str, Any],
                     cuando: datetime) -> int:
    _ = contexto.traductor
    anuncio_id = await _guardar_anuncio(update, contexto, d, cuando)
    if anuncio_id is None:
        return await _ya_no_se_puede(update, contexto)
    if d.get("editando"):
        texto = _("✅ Anuncio {n} cambiado. Sale el {cuando}.")
    else:
        texto = _("🕒 Listo: el anuncio {n} sale el {cuando}. Puedes cambiarlo o cancelarlo en "
                  "/anuncios hasta que empiece.")
    await responder(update, texto.format(
        n=anuncio_id, cuando=fecha_y_hora(cuando, _, contexto.config.zona_horaria)),
        teclado([(_("📋 Anuncios"), "anuns:lista")]), editar=False)
    return ConversationHandler.END


async def _guardar_anuncio(update: Update, contexto: Contexto, d: dict[str, Any],
                           programado_para: datetime | None) -> int | None:
    """Crea el anuncio del borrador, o cambia el que se está editando, y descarta el borrador.
    Sin fecha sale ya. None: el que se editaba ya empezó a salir o se canceló (no se cambió)."""
    quien = update.effective_user.id
    anuncios = contexto.servicios.anuncios
    if d.get("editando"):
        anuncio_id = int(d["editando"])
        if not await anuncios.editar(anuncio_id, _a_borrador(d),
                                     programado_para=programado_para, quien=quien):
            return None
    else:
        anuncio_id = await anuncios.crear(_a_borrador(d), autor_id=quien,
                                          programado_para=programado_para)
    await contexto.almacen.descartar_borrador(quien)
    return anuncio_id


async def _ya_no_se_puede(update: Update, contexto: Contexto) -> int:
    _ = contexto.traductor
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await responder(update, _("Ese anuncio ya empezó a salir o se canceló: no se cambió nada."),
                    teclado([(_("📋 Anuncios"), "anuns:lista")]), editar=False)
    return ConversationHandler.END


# --- programar: fecha y hora -------------------------------------------------------------------

async def preguntar_fecha(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    await quitar_botones(update)
    ejemplo = (contexto.reloj.ahora() + timedelta(days=1)).astimezone(
        contexto.config.zona_horaria)
    texto = _("¿Qué día sale? Escribe la fecha como día/mes/año, por ejemplo {ejemplo}.").format(
        ejemplo=f"{ejemplo:%d/%m/%Y}")
    await responder(update, f"{antes}\n\n{texto}".strip(), teclado(_salir_boton(_)),
                    editar=False)
    return FECHA


async def preguntar_hora(update: Update, contexto: Contexto, antes: str = "") -> int:
    _ = contexto.traductor
    texto = _("¿A qué hora sale? Hora de Puebla, en formato de 24 horas (HH:MM); por ejemplo "
              "10:00 o 16:30.")
    await responder(update, f"{antes}\n\n{texto}".strip(), teclado(_salir_boton(_)),
                    editar=False)
    return HORA


async def recibir_fecha(update: Update, contexto: Contexto) -> int:
    """Día/mes/año (hoy o después) → HORA."""
    hoy = contexto.reloj.ahora().astimezone(contexto.config.zona_horaria).date()
    try:
        dia = leer_fecha(update.effective_message.text, hoy)
    except DatoInvalido as error:
        return await preguntar_fecha(update, contexto, escape(error.traducido(
            contexto.traductor)))
    await _anotar(update, contexto, fecha=dia.isoformat())
    return await preguntar_hora(update, contexto)


async def recibir_hora(update: Update, contexto: Contexto) -> int:
    """HH:MM, ya en el futuro → fin (programado o cambiado)."""
    d = await _borrador(update, contexto)
    if not d.get("fecha") or not d.get("texto") or not d.get("tipo"):
        return await perdido(update, contexto)
    try:
        cuando = momento_de_inicio(date.fromisoformat(d["fecha"]),
                                   leer_hora(update.effective_message.text),
                                   contexto.config.zona_horaria, contexto.reloj.ahora())
    except DatoInvalido as error:
        return await preguntar_hora(update, contexto, escape(error.traducido(
            contexto.traductor)))
    return await _programar(update, contexto, d, cuando)


# --- salir y lo inesperado ---------------------------------------------------------------------

async def salir(update: Update, contexto: Contexto) -> int:
    """«Salir» o /cancelar: se descarta el borrador; nada se manda ni cambia."""
    _ = contexto.traductor
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await quitar_botones(update)
    await responder(update, _("Listo, saliste. No se mandó ni se cambió ningún anuncio."),
                    teclado([(_("📋 Anuncios"), "anuns:lista")], [boton_menu_personal(_)]),
                    editar=False)
    return ConversationHandler.END


async def perdido(update: Update, contexto: Contexto) -> int:
    """El borrador no corresponde al paso (un botón de otro momento): se empieza de nuevo."""
    _ = contexto.traductor
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    await responder(update, _("Perdí el hilo del anuncio; no se mandó nada. Empieza otra vez "
                              "con /anuncio, por favor."),
                    teclado([boton_menu_personal(_)]), editar=False)
    return ConversationHandler.END


async def interrumpir_flujo(update: Update, contexto: Contexto) -> int:
    """Otro botón o comando del personal: sale sin mandar y se atiende fuera del flujo."""
    await contexto.almacen.descartar_borrador(update.effective_user.id)
    return await interrumpir(update, contexto)


async def volver_a_preguntar(update: Update, contexto: Contexto, estado: int) -> int:
    """Tras algo inesperado, la pregunta del paso `estado` otra vez."""
    d = await _borrador(update, contexto)
    if estado == CONFIRMAR:
        return await confirmar(update, contexto, d)
    if estado == ELEGIR and d.get("tipo"):
        return await mostrar_opciones(update, contexto, d, editar=False)
    preguntas = {TEXTO: preguntar_texto, MEDIO: preguntar_medio, AUDIENCIA: preguntar_audiencia,
                 MUNICIPIOS: preguntar_municipio, FECHA: preguntar_fecha, HORA: preguntar_hora}
    return await preguntas.get(estado, preguntar_audiencia)(update, contexto)


def repetir(estado: int) -> Paso:
    return repetir_paso(estado, ESCRITOS, volver_a_preguntar)


# --- armar el flujo ----------------------------------------------------------------------------

def _boton(callback: Paso, patron: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(solo_personal(callback), pattern=patron)


def _mensaje(filtro: filters.BaseFilter, callback: Paso) -> MessageHandler:
    return MessageHandler(filtro, solo_personal(callback))


def _paso(estado: int, *handlers: BaseHandler) -> list[BaseHandler]:
    """Los handlers del paso, «Salir» y, al final, lo que atiende lo demás (lo dice y repite
    la pregunta)."""
    otra_cosa = solo_personal(repetir(estado))
    return [*handlers, _boton(salir, r"^anun:salir$"),
            MessageHandler(filters.ALL & ~filters.COMMAND, otra_cosa),
            CallbackQueryHandler(otra_cosa, pattern=r"^anun:")]


def conversacion() -> ConversationHandler:
    """Uno nuevo para cada aplicación (guarda en memoria el paso de cada persona)."""
    a_quien = _boton(cambiar_audiencia, r"^anun:audiencia$")
    return ConversationHandler(
        name="anuncio",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("anuncio", solo_personal(nuevo)),
            _boton(nuevo, r"^anun:nuevo$"),
            _boton(editar_programado, r"^anun:editar:\d{1,12}$"),
            _boton(fecha_de_programado, r"^anun:fecha:\d{1,12}$"),
        ],
        states={
            TEXTO: _paso(TEXTO, _mensaje(ESCRITO, recibir_texto),
                         _mensaje(ARCHIVO, recibir_medio)),
            MEDIO: _paso(MEDIO, _mensaje(ARCHIVO, recibir_medio),
                         _mensaje(ESCRITO, recibir_texto),
                         _boton(sin_medio, r"^anun:sinmedio$")),
            AUDIENCIA: _paso(AUDIENCIA, _boton(elegir_tipo, r"^anun:aud:\w{1,20}$")),
            ELEGIR: _paso(ELEGIR, _boton(alternar_opcion, r"^anun:sel:#?[\w.-]{1,40}$"),
                          _boton(listo, r"^anun:listo$"), a_quien),
            MUNICIPIOS: _paso(MUNICIPIOS, _mensaje(ESCRITO, buscar_municipio),
                              _boton(elegir_municipio, r"^anun:mun:\w{1,10}$"),
                              _boton(quitar_ultimo, r"^anun:quitar$"),
                              _boton(listo, r"^anun:listo$"), a_quien),
            CONFIRMAR: _paso(CONFIRMAR, _boton(enviar, r"^anun:enviar$"),
                             _boton(guardar, r"^anun:guardar$"),
                             _boton(preguntar_fecha, r"^anun:programar$"),
                             _boton(cambiar_texto, r"^anun:texto$"), a_quien),
            FECHA: _paso(FECHA, _mensaje(ESCRITO, recibir_fecha)),
            HORA: _paso(HORA, _mensaje(ESCRITO, recibir_hora)),
        },
        fallbacks=[
            # Antes que las salidas comunes: /cancelar aquí no manda nada (lo dice distinto), y
            # otro comando o botón del personal termina este flujo y se atiende aparte.
            CommandHandler("cancelar", solo_personal(salir)),
            CommandHandler(("personal", "anuncios"), solo_personal(interrumpir_flujo)),
            CallbackQueryHandler(solo_personal(interrumpir_flujo),
                                 pattern=r"^(pers|anuns|bnd|pco|est|rol|aud):"),
            *salidas(),
        ],
    )
