"""Defectos de texto que encontró quien probó el bot como ciudadana (issue 7): cada uno por el
emulador, como lo vive una persona."""

from __future__ import annotations

import io
import re

from emulador import EmuladorBotAPI, UsuarioFicticio
from emulador.terminal import conversar_en_terminal
from nucleo.contenido import Contenido
from tests.conversador import BotDePrueba, Persona
from tests.cursos_prueba import crear

# --- modo local: una edición que solo quita los botones no repite el mensaje --------------------


async def test_terminal_al_aceptar_el_aviso_no_lo_repite_entero(
        bot: BotDePrueba, emulador: EmuladorBotAPI) -> None:
    usuaria = UsuarioFicticio(111, first_name="Ana", language_code="es")
    emulador.conocer(usuaria)
    salida = io.StringIO()
    # /start manda la bienvenida y el aviso con botones; «1» pulsa «✅ Sí, acepto».
    entrada = io.StringIO("/start\n1\n/salir\n")
    await conversar_en_terminal(emulador, usuaria, entrada, salida, calma=0.3)
    texto = salida.getvalue()
    aviso = next(m for m in emulador.mensajes_del_bot(usuaria.id) if m.editado)
    primer_renglon = aviso.texto_plano.splitlines()[0]
    assert texto.count(primer_renglon) == 1, texto  # el aviso se pinta una sola vez
    assert "(botones quitados)" in texto or "(botones cambiados)" in texto
    assert "👉 Pulsas «✅ Sí, acepto»" in texto


# --- «Qué necesitas: Ninguno.» --------------------------------------------------------------


async def test_un_curso_sin_requisitos_lo_dice_con_naturalidad(ana: Persona, john: Persona,
                                                               bot: BotDePrueba) -> None:
    await crear(bot, "eco_solidaria")  # en el catálogo de ejemplo, requisitos: "Ninguno."
    await ana.escribe("/cursos")
    await ana.pulsa_datos("cur:c:eco_solidaria:-:0")
    assert "No necesitas nada especial." in ana.texto()
    assert "Ninguno" not in ana.texto() and "Qué necesitas" not in ana.texto()
    await john.escribe("/cursos")
    await john.pulsa_datos("cur:c:eco_solidaria:-:0")
    assert "You don't need anything special." in john.texto()
    assert "None." not in john.texto()
    await ana.pulsa_datos("cur:c:coop_basico:-:0")  # con algo que decir, va con su título
    assert "Qué necesitas: Nada especial. Si ya tienes grupo" in ana.texto()


# --- la información de un camino sin la idea de la persona ------------------------------------


async def test_tras_rechazar_el_aviso_el_camino_no_dice_tu_idea_vacia(ana: Persona) -> None:
    await ana.escribe("/start")
    await ana.pulsa("❌ No acepto")
    await ana.escribe("/orientacion")
    await ana.pulsa("🧭 Ver los caminos posibles")
    await ana.pulsa("Formar una cooperativa")
    texto = ana.texto()
    renglones = [r for r in texto.splitlines() if r.strip()]
    assert renglones[:2] == ["Formar una cooperativa",
                             "Son 5 personas o más. Pueden formar una cooperativa."], texto
    assert "…" not in texto and "tu idea" not in texto
    # Con su idea, el camino la nombra: test_orientacion.test_cada_resultado_por_su_rama.


# --- los apoyos se preguntan a una persona (/asesoria), no «en la SEDETRA» ---------------------


def test_la_orientacion_manda_a_asesoria_para_preguntar(contenido_real: Contenido) -> None:
    orientacion = contenido_real.orientacion
    textos = [t for r in orientacion.resultados.values() for t in (r.texto, *r.pasos)]
    textos += [e.texto for e in orientacion.extras]
    assert not any("Pregunta en la SEDETRA" in t for t in textos)
    # «Pregunta qué apoyos hay»: a quién, siempre a /asesoria (la oficina no tiene dirección).
    preguntas = [frase for t in textos for frase in re.split(r"(?<=\.)\s+", t)
                 if "Pregunt" in frase and ("apoyo" in frase or "cuáles hay" in frase)]
    assert preguntas and all("/asesoria" in frase for frase in preguntas), preguntas
