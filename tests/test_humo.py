from tests.conversador import Persona


async def test_start_muestra_aviso_y_botones(ana: Persona) -> None:
    respuestas = await ana.escribe("/start")
    bienvenida, aviso = respuestas  # la bienvenida y, aparte, el aviso con los botones
    assert "Coopera Puebla" in bienvenida.texto_plano and "Aviso de privacidad" in aviso.texto_plano
    assert "Sí, acepto" in " ".join(ana.botones())
