"""Administración: quién es personal (/roles) y la bitácora de lo que hace el personal
(/auditoria, por páginas y en CSV).

Cada handler se registra envuelto en `interfaz.personal.solo_administracion` (aplicacion.py).
Los ids de la configuración (COOPERA_PERSONAL, COOPERA_ADMINISTRACION) no se quitan desde
aquí; los roles dados desde Telegram se guardan en la base y valen al instante: la copia en
memoria que consulta `Configuracion.es_personal` se reemplaza con cada cambio.
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update

from interfaz.personal import boton_menu_personal
from interfaz.respuestas import responder, teclado
from nucleo.auditoria import ACCIONES, auditar, csv_auditoria
from nucleo.contexto import Contexto
from nucleo.textos import Traductor

POR_PAGINA = 10
MAXIMO_CSV = 100_000
ROL_ESCRITO = {"personal": "personal", "admin": "administracion",
               "administracion": "administracion", "administración": "administracion"}


def _nombre_rol(_: Traductor, rol: str) -> str:
    return _("administración") if rol == "administracion" else _("personal")


# --- /roles ------------------------------------------------------------------------------------

async def roles(update: Update, contexto: Contexto) -> None:
    """/roles: la lista; /roles personal ID, /roles admin ID y /roles quitar ID la cambian."""
    _ = contexto.traductor
    argumentos = [a.lower() for a in (contexto.args or [])]
    antes = ""
    if argumentos:
        antes = await _cambiar(update, contexto, argumentos)
    await _mostrar(update, contexto, antes, editar=False)


async def _cambiar(update: Update, contexto: Contexto, argumentos: list[str]) -> str:
    _ = contexto.traductor
    if len(argumentos) != 2 or not re.fullmatch(r"\d{1,15}", argumentos[1]) or (
            argumentos[0] not in ROL_ESCRITO and argumentos[0] != "quitar"):
        return _("No entendí. Escribe, por ejemplo, <code>/roles personal 123456789</code>, "
                 "<code>/roles admin 123456789</code> o <code>/roles quitar 123456789</code>.")
    telegram_id = int(argumentos[1])
    if argumentos[0] == "quitar":
        return await _quitar(update, contexto, telegram_id)
    if contexto.config.rol_configurado(telegram_id):
        return _("Ese id ya tiene su rol en la configuración del servidor; desde aquí no "
                 "se cambia.")
    rol = ROL_ESCRITO[argumentos[0]]
    nuevos = await contexto.almacen.dar_rol(telegram_id, rol, update.effective_user.id,
                                            contexto.reloj.ahora())
    contexto.config.roles.fijar(nuevos)
    await auditar(contexto, update, "rol_dado", f"telegram {telegram_id}", rol)
    return _("Listo: {id} tiene el rol de {rol}.").format(id=telegram_id,
                                                          rol=_nombre_rol(_, rol))


async def _quitar(update: Update, contexto: Contexto, telegram_id: int) -> str:
    _ = contexto.traductor
    if contexto.config.rol_configurado(telegram_id):
        return _("{id} está en la configuración del servidor (COOPERA_PERSONAL o "
                 "COOPERA_ADMINISTRACION): no se puede quitar desde Telegram. Pide que lo "
                 "quiten del archivo de configuración.").format(id=telegram_id)
    guardados = await contexto.almacen.roles_guardados()
    if telegram_id not in guardados:
        return _("{id} no tiene ningún rol.").format(id=telegram_id)
    if telegram_id == update.effective_user.id:
        return _("No puedes quitarte tu propio rol; pídeselo a otra persona de "
                 "administración.")
    nuevos = await contexto.almacen.quitar_rol(telegram_id)
    contexto.config.roles.fijar(nuevos)
    await auditar(contexto, update, "rol_quitado", f"telegram {telegram_id}",
                  guardados[telegram_id])
    return _("Listo: {id} ya no tiene rol.").format(id=telegram_id)


async def quitar_con_boton(update: Update, contexto: Contexto) -> None:
    """rol:q:<id>"""
    telegram_id = int(update.callback_query.data.rsplit(":", 1)[1])
    antes = await _quitar(update, contexto, telegram_id)
    await _mostrar(update, contexto, antes)


async def mostrar_roles(update: Update, contexto: Contexto) -> None:
    """rol:lista"""
    await _mostrar(update, contexto, "")


async def _mostrar(update: Update, contexto: Contexto, antes: str, *,
                   editar: bool = True) -> None:
    _ = contexto.traductor
    config = contexto.config
    guardados = await contexto.almacen.roles_guardados()
    lineas = [_("<b>Roles</b>")]
    for rol, ids in (("administracion", config.administracion), ("personal", config.personal)):
        for telegram_id in sorted(ids):
            lineas.append(_("• {id}: {rol} (configuración del servidor)").format(
                id=telegram_id, rol=_nombre_rol(_, rol)))
    for telegram_id, rol in guardados.items():
        lineas.append(_("• {id}: {rol} (dado desde Telegram)").format(
            id=telegram_id, rol=_nombre_rol(_, rol)))
    lineas.append("")
    lineas.append(_("Para dar un rol: <code>/roles personal ID</code> o "
                    "<code>/roles admin ID</code>. Para quitarlo: <code>/roles quitar ID"
                    "</code> o su botón. El id es el número de la cuenta de Telegram."))
    botones = [[(_("❌ Quitar {id}").format(id=i), f"rol:q:{i}")] for i in guardados]
    texto = (f"{antes}\n\n" if antes else "") + "\n".join(lineas)
    await responder(update, texto, teclado(*botones, [(_("📜 Bitácora"), "aud:p:0")],
                                           [boton_menu_personal(_)]), editar=editar)


# --- /auditoria --------------------------------------------------------------------------------

async def auditoria(update: Update, contexto: Contexto) -> None:
    """/auditoria y aud:p:<página>: la bitácora, lo más nuevo primero."""
    _ = contexto.traductor
    consulta = update.callback_query
    pagina = int(consulta.data.rsplit(":", 1)[1]) if consulta else 0
    total = await contexto.almacen.cuantas_en_auditoria()
    paginas = max((total + POR_PAGINA - 1) // POR_PAGINA, 1)
    pagina = min(pagina, paginas - 1)
    anotaciones = await contexto.almacen.auditoria(POR_PAGINA, pagina * POR_PAGINA)
    zona = contexto.config.zona_horaria
    lineas = [_("<b>Bitácora del personal</b> (página {pagina} de {paginas})").format(
        pagina=pagina + 1, paginas=paginas)]
    for a in anotaciones:
        quien = str(a.quien) if a.quien is not None else _("servidor")
        detalle = f" · {escape(a.detalle)}" if a.detalle else ""
        lineas.append(f"{a.momento.astimezone(zona):%Y-%m-%d %H:%M} · {quien} · "
                      f"{escape(_(ACCIONES.get(a.accion, a.accion)))} · "
                      f"{escape(a.objeto)}{detalle}")
    if not anotaciones:
        lineas.append(_("Todavía no hay nada en la bitácora."))
    navegar = []
    if pagina > 0:
        navegar.append((_("⬅️ Más nuevas"), f"aud:p:{pagina - 1}"))
    if pagina + 1 < paginas:
        navegar.append((_("Más viejas ➡️"), f"aud:p:{pagina + 1}"))
    await responder(update, "\n".join(lineas),
                    teclado(navegar, [(_("📄 Bitácora en CSV"), "aud:csv")],
                            [boton_menu_personal(_)]))


async def exportar_auditoria(update: Update, contexto: Contexto) -> None:
    """aud:csv: toda la bitácora en un archivo CSV."""
    _ = contexto.traductor
    await update.callback_query.answer()
    anotaciones = await contexto.almacen.auditoria(MAXIMO_CSV)
    await auditar(contexto, update, "auditoria", "", str(len(anotaciones)))
    await contexto.bot.send_document(
        update.effective_chat.id, csv_auditoria(anotaciones), filename="bitacora.csv",
        caption=_("La bitácora del personal ({n} acciones).").format(n=len(anotaciones)))


async def boton_desconocido(update: Update, contexto: Contexto) -> None:
    """Un botón «rol:» o «aud:» viejo o inventado."""
    await mostrar_roles(update, contexto)
