"""El menú principal y la lista de comandos: los muestran /start, /menu, lo imprevisto y
el personal (que además ve /personal)."""

from __future__ import annotations

from telegram import Update

from interfaz.asesoria import boton_asesoria
from interfaz.respuestas import Boton, responder, teclado
from nucleo.contexto import Contexto
from nucleo.textos import N_, Traductor

# Los comandos que se registran en Telegram (set_my_commands), en el orden del menú.
COMANDOS = (
    ("menu", N_("Menú principal")),
    ("orientacion", N_("Saber qué camino te conviene")),
    ("cursos", N_("Ver los cursos")),
    ("mis_cursos", N_("Tus cursos: fechas, dejar tu lugar, recordatorios")),
    ("cooperativa", N_("Formar una cooperativa con tu grupo")),
    ("asesoria", N_("Escribirle a una persona asesora")),
    ("asistencia", N_("Registrar que llegaste a tu curso")),
    ("perfil", N_("Ver o cambiar tu perfil")),
    ("mis_datos", N_("Ver o borrar tus datos")),
    ("silenciar", N_("Dejar de recibir anuncios, o volver a recibirlos")),
    ("idioma", N_("Cambiar el idioma")),
    ("privacidad", N_("Leer el aviso de privacidad")),
    ("cancelar", N_("Salir de lo que estás haciendo")),
    ("ayuda", N_("Ayuda y contacto")),
    ("start", N_("Empezar de nuevo")),
)


def botones_menu(_: Traductor, acepto: bool) -> list[list[Boton]]:
    filas = [
        [(_("🧭 ¿Qué camino me conviene?"), "menu:orientacion")],
        [(_("📚 Cursos"), "menu:cursos")],
        [(_("🤝 Formar una cooperativa"), "menu:cooperativa")],
        [boton_asesoria(_)],
    ]
    if acepto:
        filas.append([(_("👤 Mi perfil"), "menu:perfil"), (_("🔒 Mis datos"), "menu:datos")])
    else:
        filas.append([(_("✅ Aceptar el aviso de privacidad"), "aviso:leer")])
    filas.append([(_("🌐 Idioma"), "menu:idioma"), (_("❓ Ayuda"), "menu:ayuda")])
    return filas


async def mostrar_menu(update: Update, contexto: Contexto, saludo: str | None = None) -> None:
    """El menú principal; con `saludo`, una línea antes de la pregunta."""
    _ = contexto.traductor
    persona = await contexto.almacen.persona(update.effective_user.id)
    acepto = persona is not None and persona.acepto
    texto = (saludo + "\n\n" if saludo else "") + _("¿Qué quieres hacer? Elige una opción:")
    await responder(update, texto, teclado(*botones_menu(_, acepto)))
