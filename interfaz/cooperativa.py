"""Piezas de /cooperativa que comparten sus comandos y botones (handlers/cooperativa.py,
handlers/cooperativas_personal.py) y sus flujos (conversaciones/cooperativa_*.py): la ficha del
grupo, su pantalla, el camino con su barra, la invitación y el enlace para compartir.

Toda pantalla de un grupo empieza por `grupo_pedido`: busca el grupo del botón Y comprueba que
quien pulsa es de él. Un botón inventado con el id de otro grupo no muestra nada.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from telegram import Update

from interfaz.aviso import aviso_simplificado
from interfaz.respuestas import Boton, boton_menu, responder, responder_largo, teclado
from nucleo.almacen.cooperativas import Cooperativa, Miembro
from nucleo.contexto import Contexto
from nucleo.cooperativas import PREFIJO_INVITACION, EstadoDePaso
from nucleo.fechas import fecha_corta
from nucleo.textos import Traductor
from nucleo.vocabulario import (
    ICONO_PASO,
    NOMBRE_CLASE,
    NOMBRE_ROL,
    EstadoPaso,
    Invitacion,
    RolMiembro,
)

LARGO_BARRA = 10


def boton_grupo(_: Traductor, cooperativa_id: int) -> Boton:
    return (_("⬅️ Volver al grupo"), f"coop:g:{cooperativa_id}")


def boton_mis_grupos(_: Traductor) -> Boton:
    return (_("🤝 Mis grupos"), "coop:inicio")


def nombre_municipio(contexto: Contexto, clave: str) -> str:
    municipio = contexto.contenido.municipios.por_clave(clave)
    return municipio.nombre if municipio else clave


def ficha(contexto: Contexto, _: Traductor, cooperativa: Cooperativa) -> str:
    """Nombre, actividad, clase, municipio y cuántas personas son (HTML)."""
    minimo = contexto.cooperativas.minimo(cooperativa)
    lineas = [
        f"🤝 <b>{escape(cooperativa.nombre)}</b>",
        _("Actividad: {actividad}").format(actividad=escape(cooperativa.actividad)),
        _("Clase: {clase}").format(clase=_(NOMBRE_CLASE[cooperativa.clase])),
        _("Municipio: {municipio}").format(
            municipio=escape(nombre_municipio(contexto, cooperativa.municipio_clave))),
        _("Personas en el grupo: {n} (la ley pide {minimo} para formar la cooperativa)").format(
            n=cooperativa.miembros, minimo=minimo),
    ]
    return "\n".join(lineas)


def barra(hechos: int, total: int) -> str:
    """▰▰▰▱▱▱▱▱▱▱ 3/10"""
    llenos = round(LARGO_BARRA * hechos / total) if total else 0
    return "▰" * llenos + "▱" * (LARGO_BARRA - llenos) + f" {hechos}/{total}"


def progreso(estados: list[EstadoDePaso]) -> str:
    hechos = sum(1 for e in estados if e.estado == EstadoPaso.HECHO)
    return barra(hechos, len(estados))


def nombre_miembro(_: Traductor, miembro: Miembro) -> str:
    return escape(miembro.nombre) if miembro.nombre else _("(sin nombre)")


async def grupo_pedido(update: Update, contexto: Contexto,
                       cooperativa_id: int) -> tuple[Cooperativa, Miembro] | None:
    """El grupo y el lugar de quien pulsa. Si no es del grupo (o ya no existe), lo dice y
    devuelve None: nada del grupo se muestra."""
    datos = await contexto.cooperativas.de_miembro(cooperativa_id, update.effective_user.id)
    if datos is None:
        _ = contexto.traductor
        await responder(update, _("No eres parte de ese grupo, o ya no existe."),
                        teclado([boton_mis_grupos(_)], [boton_menu(_)]))
    return datos


def numeros(datos: str) -> list[int]:
    """Los números de un botón «coop:x:12:34» → [12, 34]."""
    return [int(n) for n in re.findall(r":(\d+)", datos)]


async def mostrar_grupo(update: Update, contexto: Contexto, cooperativa: Cooperativa,
                        miembro: Miembro, antes: str = "", *, editar: bool = True) -> None:
    """La pantalla principal de un grupo."""
    _ = contexto.traductor
    estados = await contexto.cooperativas.camino_del_grupo(cooperativa)
    papel = _("Tu papel: {rol}").format(rol=_(NOMBRE_ROL[miembro.rol]))
    texto = (f"{antes}\n\n" if antes else "") + ficha(contexto, _, cooperativa) + "\n" + papel
    texto += "\n\n" + _("Avance del camino: {barra}").format(barra=progreso(estados))
    siguiente = next((e for e in estados if e.estado != EstadoPaso.HECHO), None)
    if siguiente is not None:
        texto += "\n" + _("Sigue: {paso}").format(paso=escape(_(siguiente.paso.titulo)))
    cid = cooperativa.id
    filas = [
        [(_("🧭 El camino, paso a paso"), f"coop:p:{cid}")],
        [(_("👥 Personas del grupo"), f"coop:m:{cid}"), (_("🔗 Invitar"), f"coop:inv:{cid}")],
        [(_("📅 Asambleas"), f"coop:as:{cid}"), (_("📄 Borradores"), f"coop:docs:{cid}")],
        [(_("💬 Pedir ayuda a una persona asesora"), f"coop:ase:{cid}:-")],
        [(_("🚪 Salir del grupo"), f"coop:salir:{cid}")],
        [boton_mis_grupos(_), boton_menu(_)],
    ]
    await responder(update, texto, teclado(*filas), editar=editar)


def enlace_de_invitacion(contexto: Contexto, token: str) -> str:
    """El enlace profundo de Telegram que abre el bot con /start coop_<token>."""
    return f"https://t.me/{contexto.bot.username}?start={PREFIJO_INVITACION}{token}"


def texto_enlace(contexto: Contexto, _: Traductor, cooperativa: Cooperativa, token: str) -> str:
    dias = cooperativa.vigencia_dias
    vigencia = (_("Este enlace vence en {dias} días.").format(dias=dias) if dias
                else _("Este enlace no vence; se puede anular."))
    return (_("🔗 <b>Enlace de invitación a «{grupo}»</b>\nCompártelo con las personas que "
              "quieres invitar. Quien lo abra verá el grupo y decidirá si se une.").format(
        grupo=escape(cooperativa.nombre))
            + f"\n\n{enlace_de_invitacion(contexto, token)}\n\n" + vigencia)


async def mostrar_invitacion(update: Update, contexto: Contexto, token: str,
                             antes: str = "") -> None:
    """Lo que ve quien abre un enlace: el grupo y «Unirme» / «No, gracias». Sin el aviso de
    privacidad aceptado, primero el aviso (nada se guarda sin permiso)."""
    _ = contexto.traductor
    usuario = update.effective_user
    revision = await contexto.cooperativas.revisar_invitacion(token, usuario.id)
    prefijo = f"{antes}\n\n" if antes else ""
    if revision.resultado == Invitacion.YA_ES_MIEMBRO:
        texto = _("Ya eres parte de «{grupo}».").format(grupo=escape(revision.cooperativa.nombre))
        await responder(update, prefijo + texto,
                        teclado([(_("Abrir el grupo"), f"coop:g:{revision.cooperativa.id}")],
                                [boton_menu(_)]), editar=False)
        return
    if revision.resultado != Invitacion.VALIDA:
        await responder(update, prefijo + motivo_invitacion(_, revision.resultado),
                        teclado([boton_menu(_)]), editar=False)
        return
    cooperativa = revision.cooperativa
    texto = prefijo + _("Te invitan a un grupo que quiere formar una cooperativa:") + "\n\n"
    texto += ficha(contexto, _, cooperativa)
    persona = await contexto.almacen.persona(usuario.id)
    if persona is None or not persona.acepto:
        titulo = _("Aviso de privacidad")
        texto += ("\n\n" + _("Para unirte, el grupo verá tu nombre y yo guardaré que eres parte "
                             "de él. Primero necesito tu permiso:")
                  + f"\n\n<b>{titulo}</b>\n{aviso_simplificado(contexto.contenido, _)}")
        botones = teclado([(_("✅ Sí, acepto el aviso"), f"coop:aviso:{token}")],
                          [(_("❌ No, gracias"), f"coop:no:{token}")],
                          [(_("📄 Leer el aviso completo"), "aviso:leer")])
    else:
        texto += "\n\n" + _("¿Quieres unirte? El grupo verá tu nombre.")
        botones = teclado([(_("✅ Sí, unirme"), f"coop:unir:{token}")],
                          [(_("❌ No, gracias"), f"coop:no:{token}")])
    await responder_largo(update, texto, botones, editar=False)


def motivo_invitacion(_: Traductor, resultado: Invitacion) -> str:
    motivos = {
        Invitacion.NO_EXISTE: _("Ese enlace de invitación no sirve: está incompleto o no "
                                "existe. Pide a la persona que te invitó que te mande otro."),
        Invitacion.ANULADA: _("Ese enlace de invitación ya se anuló. Pide a la persona que te "
                              "invitó un enlace nuevo."),
        Invitacion.VENCIDA: _("Ese enlace de invitación ya venció. Pide a la persona que te "
                              "invitó un enlace nuevo."),
        Invitacion.SIN_PERMISO: _("Para unirte primero necesito tu permiso en el aviso de "
                                  "privacidad."),
    }
    return motivos.get(resultado, _("Ese enlace de invitación no sirve."))


async def unirse(update: Update, contexto: Contexto, token: str) -> None:
    """«Sí, unirme»: entra al grupo (se avisa a los demás) y ve la pantalla del grupo."""
    _ = contexto.traductor
    usuario = update.effective_user
    union = await contexto.cooperativas.unirse(token, usuario.id, usuario.first_name)
    if union.resultado == Invitacion.VALIDA:
        datos = await contexto.cooperativas.de_miembro(union.cooperativa.id, usuario.id)
        if datos is not None:
            antes = _("🎉 ¡Bienvenida o bienvenido a «{grupo}»!").format(
                grupo=escape(union.cooperativa.nombre))
            await mostrar_grupo(update, contexto, *datos, antes, editar=False)
            return
    await mostrar_invitacion(update, contexto, token)


def linea_paso(_: Traductor, estado: EstadoDePaso) -> str:
    return f"{ICONO_PASO[estado.estado]} {escape(_(estado.paso.titulo))}"


def rol_de(_: Traductor, miembro: Miembro) -> str:
    if miembro.rol == RolMiembro.SOCIA:
        return ""
    return f" · {_(NOMBRE_ROL[miembro.rol])}"


def fecha_de(contexto: Contexto, _: Traductor, momento: datetime) -> str:
    return fecha_corta(momento, _, contexto.config.zona_horaria)
