"""/mis_datos: la persona ve todo lo guardado y lo borra todo (derechos ARCO)."""

from tests.conversador import Persona, completar_perfil
from tests.cursos_prueba import crear, inscrita


async def _con_todo(ana: Persona) -> None:
    await completar_perfil(ana, nombre="Ana <b>", municipio="Atlixco")
    await ana.escribe("/orientacion")
    await ana.escribe("Vender pan")
    for boton in ["Algo de dinero", "Todo el día", "Aprender o capacitarme", "Sola o solo",
                  "Todavía no"]:
        await ana.pulsa(boton)
    await ana.escribe("/orientacion")
    await ana.escribe("Otra idea")  # una orientación a medias también es un dato


async def test_muestra_todo_lo_guardado(ana: Persona) -> None:
    await _con_todo(ana)
    await ana.escribe("/mis_datos")
    texto = ana.texto()
    for esperado in ["aceptaste el 25 de noviembre de 2026", "Ana <b>", "Atlixco",
                     "(sin contestar)", "Resultado: Primero, aprender", "Vender pan",
                     "Orientación sin terminar", "Otra idea", str(ana.id)]:
        assert esperado in texto, esperado
    assert "🗑️ Borrar todos mis datos" in ana.botones()


async def test_borrar_pide_confirmar_y_no_deja_nada(ana: Persona, bot) -> None:
    await _con_todo(ana)
    await ana.escribe("/mis_datos")
    await ana.pulsa("🗑️ Borrar todos mis datos")
    assert "¿Seguro" in ana.texto()
    await ana.pulsa("No, conservarlos")
    assert await bot.almacen.persona(ana.id) is not None
    await ana.escribe("/mis_datos")
    await ana.pulsa("🗑️ Borrar todos mis datos")
    await ana.pulsa("Sí, borrar todo")
    assert "Borramos todos tus datos" in ana.texto()
    filas = await bot.almacen.filas_con_id(ana.id)
    assert filas and not any(filas.values()), filas
    await ana.escribe("/mis_datos")
    assert "No tenemos ningún dato tuyo" in ana.texto()


async def test_borrar_a_mitad_de_un_flujo_cierra_el_flujo(ana: Persona, bot) -> None:
    await completar_perfil(ana)
    await ana.escribe("/perfil")
    await ana.pulsa("Edad")  # el perfil queda esperando la edad
    await ana.escribe("/mis_datos")
    await ana.pulsa("🗑️ Borrar todos mis datos")
    await ana.pulsa("Sí, borrar todo")
    assert not any((await bot.almacen.filas_con_id(ana.id)).values())
    await bot.reiniciar()  # el estado del flujo tampoco vuelve tras reiniciar
    await ana.pulsa_datos("perfil:rango_edad:25_34")
    assert await bot.almacen.perfil(ana.id) is None
    assert not any((await bot.almacen.filas_con_id(ana.id)).values())


async def test_sin_datos(ana: Persona) -> None:
    await ana.escribe("/mis_datos")
    assert "No tenemos ningún dato tuyo" in ana.texto()


async def test_muestra_cursos_y_encuesta_y_los_borra(ana: Persona, bot) -> None:
    sesion_id = await crear(bot, cupo=5)
    await inscrita(ana, bot, sesion_id)
    await ana.escribe("/mis_datos")
    texto = ana.texto()
    assert "Tus cursos" in texto and "Cooperativismo: lo básico" in texto
    assert "con lugar" in texto and "Recordatorios: activados." in texto
    await ana.pulsa("🗑️ Borrar todos mis datos")
    await ana.pulsa("Sí, borrar todo")
    assert not any((await bot.almacen.filas_con_id(ana.id)).values())
    assert await bot.almacen.lista_de_sesion(sesion_id) == []
