"""/cooperativa: los grupos que quieren formar una cooperativa (botones de un solo paso).

- /cooperativa o «🤝 Formar una cooperativa»: los grupos de la persona (puede estar en varios y
  cambiar de uno a otro), empezar uno nuevo (conversaciones/cooperativa_nueva.py), y lo que un
  grupo platica antes del camino legal.
- Un grupo (coop:g:ID): su ficha, el avance, las personas, invitar, asambleas, borradores.
- El camino (coop:p:ID) y cada paso (coop:s:ID:PASO): marcarlo como hecho, confirmarlo (otra
  persona), deshacerlo, ver sus evidencias y pedir ayuda a una persona asesora.
- /start coop_<token> (lo manda aquí handlers/inicio.py): la invitación; «No, gracias».

Cada botón lleva el id del grupo, y CADA pulsación vuelve a revisar en el servidor que quien
pulsa es del grupo y que su papel le permite lo que pide (`interfaz.cooperativa.grupo_pedido` y
las operaciones de `nucleo/cooperativas.py`): unos datos inventados no muestran ni cambian nada.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import date
from html import escape

from telegram import InputFile, Update
from telegram.error import TelegramError

from handlers import asesoria
from interfaz.cooperativa import (
    boton_grupo,
    boton_mis_grupos,
    fecha_de,
    grupo_pedido,
    linea_paso,
    mostrar_grupo,
    mostrar_invitacion,
    nombre_miembro,
    numeros,
    progreso,
    rol_de,
    texto_enlace,
)
from interfaz.respuestas import (
    avisar,
    boton_menu,
    quitar_botones,
    responder,
    responder_largo,
    teclado,
)
from nucleo.almacen.cooperativas import Cooperativa, Miembro
from nucleo.asesoria import mensaje_nuevo
from nucleo.contexto import Contexto
from nucleo.cooperativas import PREFIJO_INVITACION, VIGENCIAS, Resultado, tarjeta_asamblea
from nucleo.documentos_cooperativa import acta_constitutiva, bases_constitutivas
from nucleo.fechas import fecha_y_hora
from nucleo.textos import Traductor
from nucleo.vocabulario import (
    NOMBRE_CLASE,
    EstadoAsamblea,
    EstadoPaso,
    RolMiembro,
)

IDIOMA_DOCUMENTOS = "es_MX"  # los documentos legales van en español
Hecho = Callable[[Update, Contexto, Cooperativa, Miembro], Awaitable[None]]


# --- entrar -----------------------------------------------------------------------------------

async def inicio(update: Update, contexto: Contexto) -> None:
    """/cooperativa, «🤝 Formar una cooperativa» y coop:inicio: los grupos de la persona."""
    _ = contexto.traductor
    usuario_id = update.effective_user.id
    persona = await contexto.almacen.persona(usuario_id)
    if persona is None or not persona.acepto:
        texto = _("Aquí un grupo se organiza para formar una cooperativa: invitar a más "
                  "personas, seguir el camino paso a paso y preparar sus documentos.\n\n"
                  "Para guardar tu grupo necesito tu permiso en el aviso de privacidad. Sin "
                  "darlo, puedes leer qué conviene platicar antes.")
        botones = teclado([(_("📄 Leer el aviso"), "aviso:leer")],
                          [(_("💡 Antes de empezar"), "coop:antes")], [boton_menu(_)])
        await responder(update, texto, botones)
        return
    grupos = await contexto.almacen.membresias(usuario_id)
    if grupos:
        texto = _("<b>Tus grupos</b>\nElige uno para ver cómo va, o empieza otro:")
    else:
        texto = _("<b>Formar una cooperativa</b>\nUna cooperativa es una empresa de todas las "
                  "personas socias: trabajan juntas y deciden juntas. Aquí tu grupo se organiza "
                  "paso a paso, desde la idea hasta registrarla.\n\n"
                  "Empieza tu grupo y luego invita a las demás personas con un enlace. Si te "
                  "invitaron, abre el enlace que te mandaron.")
    filas = [[(f"🤝 {c.nombre}"[:60], f"coop:g:{c.id}")] for c, _rol in grupos]
    filas += [[(_("🆕 Empezar un grupo"), "coop:nueva")],
              [(_("💡 Antes de empezar"), "coop:antes"),
               (_("👥 Si son 2 a 4"), "coop:chico")],
              [(_("📚 Clases de cooperativa"), "coop:clases")],
              [boton_menu(_)]]
    await responder(update, texto, teclado(*filas))


async def antes(update: Update, contexto: Contexto) -> None:
    """coop:antes: lo que un grupo platica antes del camino legal (temas)."""
    _ = contexto.traductor
    camino = contexto.contenido.cooperativa
    texto = _("<b>Antes de empezar</b>\nAntes de los trámites, el grupo mismo. Esto es lo que "
              "una persona promotora de cooperativas les diría primero. Elige un tema:")
    filas = [[(_(t.titulo), f"coop:antes:{t.id}")] for t in camino.antes]
    await responder(update, texto, teclado(*filas, [boton_mis_grupos(_)]))


async def tema(update: Update, contexto: Contexto) -> None:
    """coop:antes:<tema>: un tema, con sus fuentes."""
    _ = contexto.traductor
    camino = contexto.contenido.cooperativa
    tema_id = update.callback_query.data.removeprefix("coop:antes:")
    elegido = next((t for t in camino.antes if t.id == tema_id), None)
    if elegido is None:
        await antes(update, contexto)
        return
    texto = (f"<b>{escape(_(elegido.titulo))}</b>\n\n{_(elegido.texto)}\n\n"
             + _fuentes(contexto, _, camino.antes_fuentes, camino.antes_revisado))
    await responder_largo(update, texto, teclado([(_("⬅️ Otros temas"), "coop:antes")],
                                                 [boton_mis_grupos(_)]))


async def grupo_chico(update: Update, contexto: Contexto) -> None:
    """coop:chico: qué puede hacer un grupo de 2 a 4 personas mientras crece."""
    _ = contexto.traductor
    camino = contexto.contenido.cooperativa
    texto = (f"<b>{escape(_(camino.grupo_chico.titulo))}</b>\n\n{_(camino.grupo_chico.texto)}"
             + "\n\n" + _fuentes(contexto, _, camino.grupo_chico_fuentes,
                                 camino.grupo_chico_revisado))
    await responder_largo(update, texto, teclado([(_("🆕 Empezar un grupo"), "coop:nueva")],
                                                 [(_("💡 Antes de empezar"), "coop:antes")],
                                                 [boton_mis_grupos(_)]))


async def clases(update: Update, contexto: Contexto) -> None:
    """coop:clases: las tres clases de cooperativa y lo que cambia con cada una."""
    _ = contexto.traductor
    partes = [_("<b>Clases de cooperativa</b>")]
    for clase in contexto.contenido.cooperativa.clases.values():
        partes.append(f"<b>{escape(_(clase.titulo))}</b>\n{_(clase.texto)}\n"
                      + _("Fundamento: {base}").format(base=escape(clase.base)))
    partes.append(f"<i>{_(contexto.contenido.cooperativa.aviso_guia)}</i>")
    await responder_largo(update, "\n\n".join(partes), teclado([boton_mis_grupos(_)]))


def _fuentes(contexto: Contexto, _: Traductor, fuentes: tuple[str, ...], revisado: date) -> str:
    lista = "\n".join(f"• {escape(f)}" for f in fuentes)
    return (f"<i>{_(contexto.contenido.cooperativa.aviso_guia)}</i>\n\n"
            + _("Fuentes (revisadas el {fecha}):").format(fecha=fecha_de(contexto, _, revisado))
            + "\n" + lista)


# --- un grupo ---------------------------------------------------------------------------------

async def grupo(update: Update, contexto: Contexto) -> None:
    """coop:g:ID: la pantalla del grupo (solo para quien es del grupo)."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is not None:
        await mostrar_grupo(update, contexto, *datos)


async def personas(update: Update, contexto: Contexto) -> None:
    """coop:m:ID: la lista de personas del grupo; quien administra ve a quién puede sacar."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is None:
        return
    await _mostrar_personas(update, contexto, *datos)


async def _mostrar_personas(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                            yo: Miembro, antes: str = "") -> None:
    _ = contexto.traductor
    miembros = await contexto.almacen.miembros(cooperativa.id)
    lineas = [f"{n}. {nombre_miembro(_, m)}{rol_de(_, m)}" for n, m in enumerate(miembros, 1)]
    minimo = contexto.cooperativas.minimo(cooperativa)
    texto = (f"{antes}\n\n" if antes else "") + _("<b>Personas de «{grupo}»</b>").format(
        grupo=escape(cooperativa.nombre)) + "\n" + "\n".join(lineas)
    if len(miembros) < minimo:
        texto += "\n\n" + _("Faltan {n} para llegar a {minimo}, el mínimo de la ley. Invita a "
                            "más personas.").format(n=minimo - len(miembros), minimo=minimo)
    filas = []
    if yo.puede_administrar:
        filas = [[(f"⚙️ {m.nombre or '?'}"[:40], f"coop:mm:{cooperativa.id}:{m.telegram_id}")]
                 for m in miembros if m.telegram_id != yo.telegram_id]
    filas += [[(_("🔗 Invitar"), f"coop:inv:{cooperativa.id}")], [boton_grupo(_, cooperativa.id)]]
    await responder(update, texto, teclado(*filas))


async def persona(update: Update, contexto: Contexto) -> None:
    """coop:mm:ID:PERSONA: lo que la responsable (o una delegada) puede hacer con alguien."""
    cooperativa_id, otra_id = numeros(update.callback_query.data)
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return
    cooperativa, yo = datos
    _ = contexto.traductor
    otra = await contexto.almacen.miembro(cooperativa_id, otra_id)
    if otra is None or not yo.puede_administrar:
        await _mostrar_personas(update, contexto, cooperativa, yo)
        return
    texto = f"<b>{nombre_miembro(_, otra)}</b>{rol_de(_, otra)}"
    filas = []
    if otra.rol != RolMiembro.RESPONSABLE:
        filas.append([(_("🚫 Sacar del grupo"), f"coop:quitar:{cooperativa_id}:{otra_id}")])
    if yo.rol == RolMiembro.RESPONSABLE:
        if otra.rol == RolMiembro.SOCIA:
            filas.append([(_("⭐ Nombrarla delegada"), f"coop:del:{cooperativa_id}:{otra_id}:1")])
        elif otra.rol == RolMiembro.DELEGADA:
            filas.append([(_("Quitarle lo de delegada"),
                           f"coop:del:{cooperativa_id}:{otra_id}:0")])
        filas.append([(_("👑 Pasarle la responsabilidad"),
                       f"coop:resp:{cooperativa_id}:{otra_id}")])
    filas.append([(_("⬅️ Personas del grupo"), f"coop:m:{cooperativa_id}")])
    texto += "\n\n" + _("Una delegada puede sacar personas y anular o renovar los enlaces.")
    await responder(update, texto, teclado(*filas))


async def pedir_quitar(update: Update, contexto: Contexto) -> None:
    """coop:quitar:ID:PERSONA: pide confirmar antes de sacar a alguien."""
    cooperativa_id, otra_id = numeros(update.callback_query.data)
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return
    _ = contexto.traductor
    otra = await contexto.almacen.miembro(cooperativa_id, otra_id)
    if otra is None:
        await _mostrar_personas(update, contexto, *datos)
        return
    texto = _("¿Seguro que quieres sacar a {nombre} del grupo?").format(
        nombre=nombre_miembro(_, otra))
    await responder(update, texto, teclado(
        [(_("Sí, sacarla"), f"coop:quitar_si:{cooperativa_id}:{otra_id}")],
        [(_("No"), f"coop:m:{cooperativa_id}")]))


async def quitar(update: Update, contexto: Contexto) -> None:
    """coop:quitar_si:ID:PERSONA: la saca (si quien pulsa puede) y se avisa al grupo."""
    cooperativa_id, otra_id = numeros(update.callback_query.data)
    resultado = await contexto.cooperativas.quitar(cooperativa_id, update.effective_user.id,
                                                   otra_id)
    await _despues(update, contexto, cooperativa_id, resultado, _hecho_personas)


async def delegada(update: Update, contexto: Contexto) -> None:
    """coop:del:ID:PERSONA:1|0: la responsable nombra o quita una delegada."""
    cooperativa_id, otra_id, si = numeros(update.callback_query.data)
    resultado = await contexto.cooperativas.nombrar_delegada(
        cooperativa_id, update.effective_user.id, otra_id, bool(si))
    await _despues(update, contexto, cooperativa_id, resultado, _hecho_personas)


async def responsabilidad(update: Update, contexto: Contexto) -> None:
    """coop:resp:ID:PERSONA: la responsable le pasa la responsabilidad a otra persona."""
    cooperativa_id, otra_id = numeros(update.callback_query.data)
    resultado = await contexto.cooperativas.pasar_responsabilidad(
        cooperativa_id, update.effective_user.id, otra_id)
    await _despues(update, contexto, cooperativa_id, resultado, _hecho_personas)


async def _hecho_personas(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                          yo: Miembro) -> None:
    _ = contexto.traductor
    await _mostrar_personas(update, contexto, cooperativa, yo, _("Listo. ✅"))


async def pedir_salir(update: Update, contexto: Contexto) -> None:
    """coop:salir:ID: pide confirmar; si es la responsable, dice que la responsabilidad pasa."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is None:
        return
    cooperativa, yo = datos
    _ = contexto.traductor
    texto = _("¿Seguro que quieres salir de «{grupo}»?").format(grupo=escape(cooperativa.nombre))
    if yo.rol == RolMiembro.RESPONSABLE and cooperativa.miembros > 1:
        texto += "\n\n" + _("Eres la persona responsable: la responsabilidad pasará a una "
                            "delegada o a quien llegó primero.")
    elif cooperativa.miembros == 1:
        texto += "\n\n" + _("Eres la única persona del grupo: el grupo se borrará.")
    await responder(update, texto, teclado([(_("Sí, salir"), f"coop:salir_si:{cooperativa.id}")],
                                           [(_("No"), f"coop:g:{cooperativa.id}")]))


async def salir(update: Update, contexto: Contexto) -> None:
    """coop:salir_si:ID: sale del grupo; se avisa a los demás."""
    _ = contexto.traductor
    cooperativa_id = numeros(update.callback_query.data)[0]
    salida = await contexto.cooperativas.salir(cooperativa_id, update.effective_user.id)
    if salida is None:
        await grupo_pedido(update, contexto, cooperativa_id)  # dice que no es del grupo
        return
    texto = _("Saliste del grupo.")
    await responder(update, texto, teclado([boton_mis_grupos(_)], [boton_menu(_)]))


# --- invitar ----------------------------------------------------------------------------------

async def invitar(update: Update, contexto: Contexto) -> None:
    """coop:inv:ID: pedir un enlace para compartir; quien administra, anularlos o renovarlos."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is None:
        return
    cooperativa, yo = datos
    _ = contexto.traductor
    texto = _("<b>Invitar a «{grupo}»</b>\nPide un enlace y compártelo por WhatsApp, Telegram o "
              "como quieras. Quien lo abra verá el grupo y decidirá si se une.").format(
        grupo=escape(cooperativa.nombre))
    filas = [[(_("🔗 Darme un enlace"), f"coop:enlace:{cooperativa.id}")]]
    if yo.puede_administrar:
        texto += "\n\n" + _("Si un enlace llegó a quien no debía, anúlalos: los enlaces "
                            "anteriores dejan de servir.")
        cid = cooperativa.id
        filas += [[(_("🚫 Anular todos los enlaces"), f"coop:anular:{cid}")],
                  [(_("🔄 Renovar: vence en {n} días").format(n=n), f"coop:renovar:{cid}:{n}")
                   for n in VIGENCIAS],
                  [(_("🔄 Renovar sin vencimiento"), f"coop:renovar:{cid}:0")]]
    filas.append([boton_grupo(_, cooperativa.id)])
    await responder(update, texto, teclado(*filas))


async def enlace(update: Update, contexto: Contexto) -> None:
    """coop:enlace:ID: un enlace nuevo (cualquier persona del grupo)."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is None:
        return
    cooperativa = datos[0]
    token = await contexto.cooperativas.enlace_nuevo(cooperativa.id, update.effective_user.id)
    if token is None:
        await grupo_pedido(update, contexto, cooperativa.id)
        return
    _ = contexto.traductor
    await responder(update, texto_enlace(contexto, _, cooperativa, token),
                    teclado([boton_grupo(_, cooperativa.id)]), editar=False)


async def anular(update: Update, contexto: Contexto) -> None:
    """coop:anular:ID: ningún enlace anterior sirve ya (responsable o delegada)."""
    cooperativa_id = numeros(update.callback_query.data)[0]
    resultado = await contexto.cooperativas.anular_enlaces(cooperativa_id,
                                                           update.effective_user.id)

    async def hecho(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                    yo: Miembro) -> None:
        _ = contexto.traductor
        await responder(update, _("Listo: los enlaces anteriores ya no sirven."),
                        teclado([(_("🔗 Darme un enlace nuevo"), f"coop:enlace:{cooperativa_id}")],
                                [boton_grupo(_, cooperativa_id)]))

    await _despues(update, contexto, cooperativa_id, resultado, hecho)


async def renovar(update: Update, contexto: Contexto) -> None:
    """coop:renovar:ID:DIAS: anula los enlaces y da uno nuevo (0: sin vencimiento)."""
    cooperativa_id, dias = numeros(update.callback_query.data)
    resultado, token = await contexto.cooperativas.renovar_enlace(
        cooperativa_id, update.effective_user.id, dias or None)

    async def hecho(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                    yo: Miembro) -> None:
        _ = contexto.traductor
        texto = (_("Listo: los enlaces anteriores ya no sirven. Este es el nuevo:") + "\n\n"
                 + texto_enlace(contexto, _, cooperativa, token))
        await responder(update, texto, teclado([boton_grupo(_, cooperativa_id)]))

    await _despues(update, contexto, cooperativa_id, resultado, hecho)


async def abrir_invitacion(update: Update, contexto: Contexto, parametro: str) -> None:
    """/start coop_<token> (desde handlers/inicio.py): el grupo al que invitan."""
    await mostrar_invitacion(update, contexto, parametro.removeprefix(PREFIJO_INVITACION))


async def no_unirse(update: Update, contexto: Contexto) -> None:
    """coop:no:<token>: no se une; no se guarda nada."""
    _ = contexto.traductor
    await quitar_botones(update)
    await responder(update, _("Está bien, no te uniste. Si cambias de opinión, abre otra vez el "
                              "enlace."), teclado([boton_menu(_)]), editar=False)


# --- el camino --------------------------------------------------------------------------------

async def camino(update: Update, contexto: Contexto) -> None:
    """coop:p:ID: la lista de pasos con su estado y la barra de avance."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is not None:
        await _mostrar_camino(update, contexto, datos[0])


async def _mostrar_camino(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                          antes: str = "", *, editar: bool = True) -> None:
    _ = contexto.traductor
    estados = await contexto.cooperativas.camino_del_grupo(cooperativa)
    texto = (f"{antes}\n\n" if antes else "") + _("<b>El camino de «{grupo}»</b>").format(
        grupo=escape(cooperativa.nombre)) + "\n" + progreso(estados) + "\n\n"
    texto += "\n".join(f"{n}. {linea_paso(_, e)}" for n, e in enumerate(estados, 1))
    if any(e.estado == EstadoPaso.BLOQUEADO for e in estados):
        texto += "\n\n" + _("🔒 La ley pide por lo menos {minimo} personas socias para estos "
                            "pasos. Hoy son {n}.").format(
            minimo=contexto.cooperativas.minimo(cooperativa), n=cooperativa.miembros)
    texto += "\n\n" + _("✅ hecho · 🟡 falta que otra persona lo confirme · ⬜ pendiente")
    filas = [[(f"{n}. {_(e.paso.titulo)}"[:60], f"coop:s:{cooperativa.id}:{e.paso.id}")]
             for n, e in enumerate(estados, 1)]
    filas.append([boton_grupo(_, cooperativa.id)])
    await responder_largo(update, texto, teclado(*filas), editar=editar)


async def paso(update: Update, contexto: Contexto) -> None:
    """coop:s:ID:PASO: qué es, por qué, documentos, quién, dónde, costo, tiempo, fundamento y
    fuentes; y los botones según su estado."""
    cooperativa_id, paso_id = _grupo_y_paso(update.callback_query.data)
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is not None:
        await mostrar_paso(update, contexto, datos[0], datos[1], paso_id)


async def mostrar_paso(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                       yo: Miembro, paso_id: str, antes: str = "", *,
                       editar: bool = True) -> None:
    _ = contexto.traductor
    estados = await contexto.cooperativas.camino_del_grupo(cooperativa)
    estado = next((e for e in estados if e.paso.id == paso_id), None)
    if estado is None:
        await _mostrar_camino(update, contexto, cooperativa)
        return
    p, zona = estado.paso, contexto.config.zona_horaria
    numero = estados.index(estado) + 1
    documentos = "\n".join(f"• {_(d)}" for d in p.documentos)
    partes = [
        f"{antes}\n\n" if antes else "",
        _("<b>Paso {n}. {titulo}</b>").format(n=numero, titulo=escape(_(p.titulo))),
        f"\n{_(p.texto)}\n",
        _("<b>¿Para qué?</b> {texto}").format(texto=_(p.por_que)),
        _("<b>Documentos:</b>") + f"\n{documentos}",
        _("<b>¿Quién?</b> {texto}").format(texto=_(p.quien)),
        _("<b>¿Dónde?</b> {texto}").format(texto=_(p.donde)),
        _("<b>¿Cuánto cuesta?</b> {texto}").format(texto=_(p.costo)),
        _("<b>¿Cuánto tarda?</b> {texto}").format(texto=_(p.tiempo)),
        _("<b>Fundamento:</b> {base}").format(base=escape(p.base)),
        "",
    ]
    avance = estado.avance
    cid = cooperativa.id
    filas = []
    if estado.estado == EstadoPaso.BLOQUEADO:
        partes.append(_("🔒 Este paso se abre cuando el grupo tenga por lo menos {minimo} "
                        "personas socias. Hoy son {n}.").format(
            minimo=contexto.cooperativas.minimo(cooperativa), n=cooperativa.miembros))
        filas.append([(_("🔗 Invitar a más personas"), f"coop:inv:{cid}")])
    elif estado.estado == EstadoPaso.PENDIENTE:
        partes.append(_("Cuando lo hagan, márquenlo como hecho. Otra persona del grupo lo "
                        "confirma."))
        filas.append([(_("✔️ Ya lo hicimos"), f"coop:hecho:{cid}:{p.id}")])
    elif estado.estado == EstadoPaso.POR_CONFIRMAR:
        partes.append(_("🟡 {nombre} lo marcó como hecho el {fecha}. Falta que otra persona lo "
                        "confirme.").format(nombre=escape(avance.nombre_marco or "?"),
                                            fecha=fecha_y_hora(avance.marcado_en, _, zona)))
        if avance.marcado_por != yo.telegram_id:
            filas.append([(_("✅ Confirmar"), f"coop:ok:{cid}:{p.id}")])
        if avance.marcado_por == yo.telegram_id or yo.puede_administrar:
            filas.append([(_("↩️ Deshacer"), f"coop:deshacer:{cid}:{p.id}")])
    else:
        partes.append(_("✅ Hecho. Lo marcó {marco} y lo confirmó {confirmo} el {fecha}.").format(
            marco=escape(avance.nombre_marco or "?"),
            confirmo=escape(avance.nombre_confirmo or "?"),
            fecha=fecha_y_hora(avance.confirmado_en, _, zona)))
    evidencias = await contexto.almacen.evidencias(cid, p.id)
    if evidencias:
        partes.append(_("📎 Evidencias: {n}").format(n=len(evidencias)))
    fuentes = "\n".join(f"• {escape(f)}" for f in p.fuentes)
    partes += ["", f"<i>{_(contexto.contenido.cooperativa.aviso_guia)}</i>",
               _("Fuentes (revisadas el {fecha}):").format(
                   fecha=fecha_de(contexto, _, p.revisado)), fuentes]
    fila_evidencia = [(_("📎 Subir evidencia"), f"coop:ev:{cid}:{p.id}")]
    if evidencias:
        fila_evidencia.append((_("Ver evidencias"), f"coop:vev:{cid}:{p.id}"))
    filas += [fila_evidencia,
              [(_("💬 Preguntar a una persona asesora"), f"coop:ase:{cid}:{p.id}")],
              [(_("⬅️ El camino"), f"coop:p:{cid}"), boton_grupo(_, cid)]]
    await responder_largo(update, "\n".join(partes).strip(), teclado(*filas), editar=editar)


def _grupo_y_paso(datos: str) -> tuple[int, str]:
    """«coop:x:12:paso» → (12, "paso")."""
    _prefijo, _accion, grupo_id, paso_id = datos.split(":", 3)
    return int(grupo_id), paso_id


async def marcar(update: Update, contexto: Contexto) -> None:
    """coop:hecho:ID:PASO: lo marca como hecho; se avisa a las demás para confirmarlo."""
    cooperativa_id, paso_id = _grupo_y_paso(update.callback_query.data)
    resultado = await contexto.cooperativas.marcar(cooperativa_id, paso_id,
                                                   update.effective_user.id)
    await _despues_de_paso(update, contexto, cooperativa_id, paso_id, resultado)


async def confirmar(update: Update, contexto: Contexto) -> None:
    """coop:ok:ID:PASO: otra persona confirma; se avisa a todo el grupo."""
    cooperativa_id, paso_id = _grupo_y_paso(update.callback_query.data)
    resultado = await contexto.cooperativas.confirmar(cooperativa_id, paso_id,
                                                      update.effective_user.id)
    await _despues_de_paso(update, contexto, cooperativa_id, paso_id, resultado)


async def deshacer(update: Update, contexto: Contexto) -> None:
    """coop:deshacer:ID:PASO: quita la marca antes de que alguien la confirme."""
    cooperativa_id, paso_id = _grupo_y_paso(update.callback_query.data)
    resultado = await contexto.cooperativas.desmarcar(cooperativa_id, paso_id,
                                                      update.effective_user.id)
    await _despues_de_paso(update, contexto, cooperativa_id, paso_id, resultado)


async def _despues_de_paso(update: Update, contexto: Contexto, cooperativa_id: int,
                           paso_id: str, resultado: Resultado) -> None:
    _ = contexto.traductor
    notas = {
        Resultado.HECHO: _("Listo. ✅"),
        Resultado.BLOQUEADO: _("🔒 Todavía no: la ley pide más personas socias para este paso."),
        Resultado.YA_ESTABA: _("Ese paso ya estaba marcado."),
        Resultado.MISMA_PERSONA: _("Otra persona del grupo debe confirmarlo."),
        Resultado.SIN_PERMISO: _("Eso solo lo puede hacer quien lo marcó o quien administra."),
        Resultado.NO_EXISTE: _("Ese paso ya cambió. Mira cómo está ahora."),
    }
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return
    await avisar(update, notas.get(resultado, ""))
    await mostrar_paso(update, contexto, datos[0], datos[1], paso_id, notas.get(resultado, ""))


async def ver_evidencias(update: Update, contexto: Contexto) -> None:
    """coop:vev:ID:PASO: manda de nuevo cada foto o documento (por su file_id)."""
    cooperativa_id, paso_id = _grupo_y_paso(update.callback_query.data)
    if await grupo_pedido(update, contexto, cooperativa_id) is None:
        return
    _ = contexto.traductor
    await avisar(update, _("Te mando las evidencias."))
    chat = update.effective_chat
    for evidencia in await contexto.almacen.evidencias(cooperativa_id, paso_id):
        pie = _("Subió: {nombre}, {fecha}").format(
            nombre=escape(evidencia.nombre or "?"),
            fecha=fecha_y_hora(evidencia.subida_en, _, contexto.config.zona_horaria))
        with suppress(TelegramError):  # un archivo que Telegram ya no tiene no detiene el resto
            if evidencia.tipo == "foto":
                await chat.send_photo(evidencia.file_id, caption=pie)
            else:
                await chat.send_document(evidencia.file_id, caption=pie)


async def pedir_asesoria(update: Update, contexto: Contexto) -> None:
    """coop:ase:ID:PASO (o «-»: el grupo en general): abre /asesoria con el tema ya dicho.

    El bot deja en el chat una nota con el grupo y el paso, y se la pasa a la persona asesora
    como el primer mensaje de la pregunta: así quien contesta sabe de qué se trata."""
    cooperativa_id, paso_id = _grupo_y_paso(update.callback_query.data)
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return
    cooperativa = datos[0]
    _ = contexto.traductor
    p = contexto.contenido.cooperativa.paso(paso_id)
    if p is not None:
        nota = _("📌 Mi pregunta es sobre el grupo «{grupo}» ({clase}), paso «{paso}».").format(
            grupo=escape(cooperativa.nombre), clase=_(NOMBRE_CLASE[cooperativa.clase]),
            paso=escape(_(p.titulo)))
    else:
        nota = _("📌 Mi pregunta es sobre el grupo «{grupo}» ({clase}).").format(
            grupo=escape(cooperativa.nombre), clase=_(NOMBRE_CLASE[cooperativa.clase]))
    await quitar_botones(update)
    servicio = contexto.servicios.asesoria
    mensaje = await update.effective_chat.send_message(nota)
    usuario = update.effective_user
    nuevo = mensaje_nuevo(mensaje)
    if servicio is not None and nuevo is not None:
        await servicio.recibir(contexto.bot, usuario.id, contexto.user_data.get("idioma"),
                               usuario.first_name, nuevo)
    await asesoria.abrir(update, contexto)


# --- asambleas --------------------------------------------------------------------------------

async def asambleas(update: Update, contexto: Contexto) -> None:
    """coop:as:ID: las asambleas del grupo (próximas y pasadas) y convocar una."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is None:
        return
    cooperativa = datos[0]
    _ = contexto.traductor
    lista = await contexto.almacen.asambleas(cooperativa.id)
    zona = contexto.config.zona_horaria
    iconos = {EstadoAsamblea.PROGRAMADA: "📅", EstadoAsamblea.REALIZADA: "📝",
              EstadoAsamblea.CANCELADA: "❌"}
    texto = _("<b>Asambleas de «{grupo}»</b>").format(grupo=escape(cooperativa.nombre))
    if not lista:
        texto += "\n" + _("Todavía no hay asambleas. Convoquen una para decidir juntas.")
    filas = [[(f"{iconos[a.estado]} {fecha_y_hora(a.inicio, _, zona)}"[:60], f"coop:a:{a.id}")]
             for a in lista[:10]]
    filas += [[(_("📣 Convocar una asamblea"), f"coop:nas:{cooperativa.id}")],
              [boton_grupo(_, cooperativa.id)]]
    await responder(update, texto, teclado(*filas))


async def asamblea(update: Update, contexto: Contexto) -> None:
    """coop:a:ASAMBLEA: cuándo, dónde, orden del día, quién va; y lo que se puede hacer."""
    await _mostrar_asamblea(update, contexto, numeros(update.callback_query.data)[0])


async def _mostrar_asamblea(update: Update, contexto: Contexto, asamblea_id: int,
                            antes: str = "") -> None:
    _ = contexto.traductor
    elegida = await contexto.almacen.asamblea(asamblea_id)
    datos = (await grupo_pedido(update, contexto, elegida.cooperativa_id)
             if elegida is not None else None)
    if elegida is None or datos is None:
        if elegida is None:
            await responder(update, _("Esa asamblea ya no existe."), teclado([boton_menu(_)]))
        return
    cooperativa, yo = datos
    zona = contexto.config.zona_horaria
    asistencias = await contexto.almacen.asistencias(asamblea_id)
    texto = (f"{antes}\n\n" if antes else "") + _("<b>Asamblea de «{grupo}»</b>").format(
        grupo=escape(cooperativa.nombre)) + "\n" + tarjeta_asamblea(_, zona, elegida)
    cid = cooperativa.id
    filas = []
    if elegida.estado == EstadoAsamblea.PROGRAMADA:
        si = [nombre_miembro(_, a) for a in asistencias if a.confirmo]
        no = [nombre_miembro(_, a) for a in asistencias if a.confirmo is False]
        texto += "\n\n" + _("Van: {lista}").format(lista=", ".join(si) or "—")
        if no:
            texto += "\n" + _("No pueden: {lista}").format(lista=", ".join(no))
        filas.append([(_("✅ Sí voy"), f"coop:asi:{asamblea_id}:si"),
                      (_("❌ No puedo"), f"coop:asi:{asamblea_id}:no")])
        filas.append([(_("📝 Anotar acuerdos y asistencia"), f"coop:reg:{asamblea_id}")])
        if elegida.convocada_por == yo.telegram_id or yo.puede_administrar:
            filas.append([(_("❌ Cancelar la asamblea"), f"coop:acan:{asamblea_id}")])
    elif elegida.estado == EstadoAsamblea.REALIZADA:
        fueron = [nombre_miembro(_, a) for a in asistencias if a.asistio]
        texto += "\n\n" + _("<b>Acuerdos:</b>\n{acuerdos}").format(
            acuerdos=escape(elegida.acuerdos or "")) + "\n\n" + _("Asistieron: {lista}").format(
            lista=", ".join(fueron) or "—")
        filas.append([(_("✏️ Corregir acuerdos y asistencia"), f"coop:reg:{asamblea_id}")])
    else:
        texto += "\n\n" + _("❌ Esta asamblea se canceló.")
    filas.append([(_("⬅️ Asambleas"), f"coop:as:{cid}"), boton_grupo(_, cid)])
    await responder(update, texto, teclado(*filas))


async def asistir(update: Update, contexto: Contexto) -> None:
    """coop:asi:ASAMBLEA:si|no: si va o no (también desde el aviso y el recordatorio)."""
    _ = contexto.traductor
    datos = update.callback_query.data
    asamblea_id = numeros(datos)[0]
    resultado = await contexto.cooperativas.responder_asamblea(
        asamblea_id, update.effective_user.id, datos.endswith(":si"))
    if resultado == Resultado.HECHO:
        nota = _("¡Te esperamos! ✅") if datos.endswith(":si") else _("Gracias por avisar.")
        await avisar(update, nota)
        await _mostrar_asamblea(update, contexto, asamblea_id, nota)
    elif resultado == Resultado.NO_EXISTE:
        await _mostrar_asamblea(update, contexto, asamblea_id,
                                _("Esa asamblea ya no está programada."))
    else:
        await _mostrar_asamblea(update, contexto, asamblea_id)  # dice que no es del grupo


async def cancelar_asamblea(update: Update, contexto: Contexto) -> None:
    """coop:acan:ASAMBLEA: la cancela (quien convocó o quien administra); se avisa."""
    _ = contexto.traductor
    asamblea_id = numeros(update.callback_query.data)[0]
    resultado = await contexto.cooperativas.cancelar_asamblea(asamblea_id,
                                                              update.effective_user.id)
    nota = {Resultado.HECHO: _("Listo: se canceló y se avisó al grupo."),
            Resultado.SIN_PERMISO: _("Solo quien la convocó o quien administra puede "
                                     "cancelarla.")}.get(resultado, "")
    await _mostrar_asamblea(update, contexto, asamblea_id, nota)


# --- borradores -------------------------------------------------------------------------------

async def borradores(update: Update, contexto: Contexto) -> None:
    """coop:docs:ID: los borradores que el bot prepara con los datos del grupo."""
    datos = await grupo_pedido(update, contexto, numeros(update.callback_query.data)[0])
    if datos is None:
        return
    cooperativa = datos[0]
    _ = contexto.traductor
    texto = _("<b>Borradores de documentos</b>\nLos preparo con los datos del grupo y el nombre "
              "de cada persona. Son <b>borradores</b>: revísenlos con una persona asesora antes "
              "de firmar. Van en español, el idioma de los documentos legales.")
    cid = cooperativa.id
    await responder(update, texto, teclado(
        [(_("📄 Acta constitutiva"), f"coop:doc:{cid}:acta")],
        [(_("📄 Bases constitutivas"), f"coop:doc:{cid}:bases")],
        [(_("💬 Revisarlos con una persona asesora"), f"coop:ase:{cid}:bases")],
        [boton_grupo(_, cid)]))


async def documento(update: Update, contexto: Contexto) -> None:
    """coop:doc:ID:acta|bases: manda el PDF (sendDocument)."""
    cooperativa_id, cual = _grupo_y_paso(update.callback_query.data)
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return
    cooperativa = datos[0]
    _ = contexto.traductor
    miembros = await contexto.almacen.miembros(cooperativa_id)
    espanol = contexto.servicios.textos.para(IDIOMA_DOCUMENTOS)
    hacer, nombre = ((acta_constitutiva, "acta_constitutiva_BORRADOR.pdf") if cual == "acta"
                     else (bases_constitutivas, "bases_constitutivas_BORRADOR.pdf"))
    contenido = hacer(espanol, contexto.contenido, cooperativa, miembros, contexto.reloj.ahora(),
                      contexto.config.zona_horaria)
    await avisar(update, _("Te mando el borrador."))
    pie = _("📄 BORRADOR de «{grupo}». Revísenlo con una persona asesora antes de firmar.").format(
        grupo=escape(cooperativa.nombre))
    await update.effective_chat.send_document(InputFile(contenido, filename=nombre), caption=pie)


# --- piezas -----------------------------------------------------------------------------------

async def _despues(update: Update, contexto: Contexto, cooperativa_id: int, resultado: Resultado,
                   hecho: Hecho) -> None:
    """Tras una operación: si salió, `hecho`; si no, por qué (o que no es del grupo)."""
    _ = contexto.traductor
    datos = await grupo_pedido(update, contexto, cooperativa_id)
    if datos is None:
        return
    if resultado == Resultado.HECHO:
        await hecho(update, contexto, *datos)
        return
    motivo = (_("Eso solo lo puede hacer la persona responsable o una delegada.")
              if resultado == Resultado.SIN_PERMISO else _("Eso ya cambió. Mira cómo está ahora."))
    await avisar(update, motivo)
    await mostrar_grupo(update, contexto, *datos, motivo)
