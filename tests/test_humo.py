from tests.conversador import Persona, textos


async def test_start_muestra_aviso_y_botones(ana: Persona) -> None:
    respuestas = await ana.escribe("/start")
    assert len(respuestas) == 1
    assert "Coopera Puebla" in textos(respuestas)
    assert "Sí, acepto" in " ".join(ana.botones())
