"""/cooperativa con el bot completo y el emulador, varias personas a la vez: crear un grupo,
invitar, unirse (con permiso y nombre primero), rechazar, salir, sacar, la responsable que se
va, enlaces que no sirven, el mínimo legal, pasos confirmados por otra persona con avisos a cada
miembro (y a nadie más), evidencias, /mis_datos y el borrado.

Ahora (conftest): 2026-11-25 18:00 UTC = 12:00 en Puebla.
"""

from __future__ import annotations

import re
import sqlite3

from emulador import UsuarioFicticio
from nucleo.cooperativas import Resultado
from nucleo.vocabulario import Invitacion, RolMiembro
from tests.conversador import BotDePrueba, Persona, completar_perfil, textos

ENLACE = re.compile(r"https://t\.me/CooperaPueblaBot\?start=coop_([A-Za-z0-9_-]+)")


def cooperativas(bot: BotDePrueba):
    return bot.servicios.cooperativas


async def con_perfil(bot: BotDePrueba, telegram_id: int, nombre: str,
                     idioma: str | None = None) -> None:
    """Una persona que aceptó el aviso y dio su nombre (sin pasar por el chat)."""
    bot.emulador.conocer(UsuarioFicticio(telegram_id, first_name=nombre))
    ahora = bot.reloj.ahora()
    await bot.almacen.registrar_consentimiento(telegram_id, True, "prueba", ahora, idioma)
    await bot.almacen.guardar_en_perfil(telegram_id, "nombre", nombre, ahora)


async def grupo_con(bot: BotDePrueba, responsable: int, *otras: int,
                    clase: str = "productores") -> int:
    """Un grupo creado por `responsable`, con las demás unidas por su enlace."""
    servicio = cooperativas(bot)
    creada = await servicio.crear(responsable, None, "Tejedoras de Cholula",
                                  "tejer y vender rebozos", clase, "21114")
    for telegram_id in otras:
        union = await servicio.unirse(creada.token, telegram_id, None)
        assert union.resultado == Invitacion.VALIDA
    await bot.coopera.despachador.vaciar(10)
    return creada.cooperativa_id


def filas(bot: BotDePrueba, sql: str, *parametros: object) -> list[tuple]:
    with sqlite3.connect(bot.config.ruta_bd) as bd:
        return list(bd.execute(sql, parametros))


def recibido(bot: BotDePrueba, telegram_id: int) -> str:
    return "\n".join(m.texto_plano or "" for m in bot.emulador.mensajes_del_bot(telegram_id))


# --- crear, invitar, unirse ----------------------------------------------------------------


async def test_crear_invitar_unirse_con_permiso_y_nombre_y_rechazar(
        bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    await completar_perfil(ana, "Ana")
    await ana.escribe("/cooperativa")
    await ana.pulsa("Empezar un grupo")
    await ana.escribe("Tejedoras de Cholula")
    await ana.escribe("tejer y vender rebozos")
    await ana.pulsa("De producción")
    respuesta = textos(await ana.escribe("San Pedro Cholula"))
    assert "Tejedoras de Cholula" in respuesta and "¿Así está bien?" in respuesta
    respuesta = textos(await ana.pulsa("Crear el grupo"))
    token = ENLACE.search(respuesta).group(1)
    assert "Tejedoras de Cholula" in respuesta and "Avance del camino" in respuesta
    # Solo el hash del token queda en la base.
    assert token not in str(filas(bot, "SELECT * FROM invitaciones_cooperativa"))

    # John no ha aceptado el aviso: ve el grupo y el aviso; nada se guarda todavía.
    respuesta = textos(await john.escribe(f"/start coop_{token}"))
    assert "Tejedoras de Cholula" in respuesta and "tejer y vender rebozos" in respuesta
    assert await bot.almacen.persona(john.id) is None
    await john.pulsa_datos(f"coop:aviso:{token}")
    assert (await bot.almacen.persona(john.id)).acepto
    # Primero su nombre (el grupo lo verá), luego de vuelta a la invitación.
    await john.escribe("John Smith")
    assert [b for b in john.botones() if "join" in b.lower() or "unir" in b.lower()]
    await john.pulsa_datos(f"coop:unir:{token}")
    cooperativa_id = filas(bot, "SELECT id FROM cooperativas")[0][0]
    miembros = await bot.almacen.miembros(cooperativa_id)
    assert [(m.nombre, m.rol) for m in miembros] == [("Ana", RolMiembro.RESPONSABLE),
                                                     ("John Smith", RolMiembro.SOCIA)]
    await bot.coopera.despachador.vaciar(10)
    assert "John Smith" in recibido(bot, ana.id)  # «John Smith se unió»

    # Otra persona abre el enlace y dice que no: no queda nada suyo.
    beto = bot.persona(UsuarioFicticio(303, first_name="Beto"))
    await beto.escribe(f"/start coop_{token}")
    await beto.pulsa_datos(f"coop:no:{token}")
    assert await bot.almacen.persona(beto.id) is None
    assert len(await bot.almacen.miembros(cooperativa_id)) == 2


async def test_varios_grupos_y_cambiar_entre_ellos(bot: BotDePrueba, ana: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    uno = await grupo_con(bot, ana.id)
    otro = (await cooperativas(bot).crear(ana.id, None, "Maiceras", "vender tortillas",
                                          "consumidores", "21001")).cooperativa_id
    await ana.escribe("/cooperativa")
    assert {"🤝 Tejedoras de Cholula", "🤝 Maiceras"} <= set(ana.botones())
    assert "Maiceras" in textos(await ana.pulsa_datos(f"coop:g:{otro}"))
    assert "Tejedoras" in textos(await ana.pulsa_datos(f"coop:g:{uno}"))


# --- enlaces que no sirven --------------------------------------------------------------------


async def test_enlaces_invalidos_anulados_vencidos_y_de_quien_ya_es_miembro(
        bot: BotDePrueba, ana: Persona) -> None:
    await con_perfil(bot, 101, "Ana")
    await con_perfil(bot, 202, "John")
    await con_perfil(bot, 303, "Beto")
    servicio = cooperativas(bot)
    creada = await servicio.crear(101, None, "Grupo", "algo", "productores", "21114")
    cid = creada.cooperativa_id
    beto = bot.persona(UsuarioFicticio(303, first_name="Beto"))

    # Inventado o mal copiado.
    assert "no sirve" in textos(await beto.escribe("/start coop_AAAAAAAAAAAAAAAAAAAAAA"))
    assert "no sirve" in textos(await beto.escribe("/start coop_<script>"))
    # Ya es miembro.
    assert "Ya eres parte" in textos(await ana.escribe(f"/start coop_{creada.token}"))
    # Anulado: ni el de antes ni la unión directa sirven.
    assert await servicio.anular_enlaces(cid, 101) == Resultado.HECHO
    assert "anuló" in textos(await beto.escribe(f"/start coop_{creada.token}"))
    await beto.pulsa_datos(f"coop:unir:{creada.token}")
    assert await bot.almacen.miembro(cid, 303) is None
    # Renovado con vencimiento de 7 días: sirve hoy, no dentro de 8.
    resultado, nuevo = await servicio.renovar_enlace(cid, 101, 7)
    assert resultado == Resultado.HECHO
    assert (await servicio.revisar_invitacion(nuevo, 303)).resultado == Invitacion.VALIDA
    bot.reloj.avanzar(days=8)
    assert "venció" in textos(await beto.escribe(f"/start coop_{nuevo}"))
    assert (await servicio.unirse(nuevo, 303, None)).resultado == Invitacion.VENCIDA
    # Una socia sin papel de administración no puede anular ni renovar.
    _r, otro = await servicio.renovar_enlace(cid, 101, None)
    assert (await servicio.unirse(otro, 202, None)).resultado == Invitacion.VALIDA
    assert await servicio.anular_enlaces(cid, 202) == Resultado.SIN_PERMISO
    assert (await servicio.renovar_enlace(cid, 202, None))[0] == Resultado.SIN_PERMISO


# --- salir, sacar, la responsable -------------------------------------------------------------


async def test_salir_sacar_y_la_responsable_que_se_va(bot: BotDePrueba) -> None:
    for telegram_id, nombre in ((101, "Ana"), (202, "John"), (303, "Beto"), (404, "Carla")):
        await con_perfil(bot, telegram_id, nombre)
    cid = await grupo_con(bot, 101, 202, 303, 404)
    servicio = cooperativas(bot)
    # Una socia no saca a nadie; la responsable nombra delegada a Carla, que sí puede.
    assert await servicio.quitar(cid, 202, 303) == Resultado.SIN_PERMISO
    assert await servicio.nombrar_delegada(cid, 202, 404, True) == Resultado.SIN_PERMISO
    assert await servicio.nombrar_delegada(cid, 101, 404, True) == Resultado.HECHO
    assert await servicio.quitar(cid, 404, 303) == Resultado.HECHO
    assert await bot.almacen.miembro(cid, 303) is None
    assert await servicio.quitar(cid, 404, 101) == Resultado.SIN_PERMISO  # a la responsable no
    await bot.coopera.despachador.vaciar(10)
    assert "Ya no eres parte" in recibido(bot, 303)

    # La responsable se va: la delegada (Carla) queda responsable y todas lo saben.
    salida = await servicio.salir(cid, 101)
    assert salida.hecha and salida.nueva_responsable == 404
    roles = {m.telegram_id: m.rol for m in await bot.almacen.miembros(cid)}
    assert roles == {202: RolMiembro.SOCIA, 404: RolMiembro.RESPONSABLE}
    await bot.coopera.despachador.vaciar(10)
    assert "Ana</b> salió" in bot.emulador.mensajes_del_bot(202)[-1].texto
    assert "Ahora tú eres la persona responsable" in recibido(bot, 404)
    assert "salió" not in recibido(bot, 303)  # ya no es del grupo: no se entera

    # La última en irse borra el grupo.
    await servicio.salir(cid, 202)
    assert (await servicio.salir(cid, 404)).grupo_borrado
    assert await bot.almacen.cooperativa(cid) is None


async def test_salir_con_los_botones(bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    await con_perfil(bot, john.id, "John")
    cid = await grupo_con(bot, ana.id, john.id)
    assert "responsabilidad pasará" in textos(await ana.pulsa_datos(f"coop:salir:{cid}"))
    await ana.pulsa_datos(f"coop:salir_si:{cid}")
    assert (await bot.almacen.miembro(cid, john.id)).rol == RolMiembro.RESPONSABLE


# --- el mínimo legal y el camino --------------------------------------------------------------


async def test_los_pasos_constitutivos_esperan_al_minimo_legal(bot: BotDePrueba,
                                                             ana: Persona) -> None:
    ids = [101, 202, 303, 404, 505]
    for telegram_id in ids:
        await con_perfil(bot, telegram_id, f"P{telegram_id}")
    cid = await grupo_con(bot, 101, 202)
    constitutivos = [p.id for p in bot.servicios.contenido.cooperativa.pasos if p.constitutivo]
    assert constitutivos  # el contenido marca pasos constitutivos

    # Con 2 personas: el botón (aunque se mande a mano) no marca nada.
    respuesta = textos(await ana.pulsa_datos(f"coop:hecho:{cid}:{constitutivos[0]}"))
    assert "🔒" in respuesta
    assert filas(bot, "SELECT * FROM pasos_cooperativa") == []
    assert "🔒" in textos(await ana.pulsa_datos(f"coop:p:{cid}"))
    # Un paso no constitutivo sí se marca.
    assert await cooperativas(bot).marcar(cid, "decision", 101) == Resultado.HECHO

    # Con 5 personas, se abre.
    token = await cooperativas(bot).enlace_nuevo(cid, 101)
    for telegram_id in ids[2:]:
        await cooperativas(bot).unirse(token, telegram_id, None)
    assert await cooperativas(bot).marcar(cid, constitutivos[0], 101) == Resultado.HECHO

    # De ahorro y préstamo: la ley pide 25; con 5 sigue cerrado.
    ahorro = await grupo_con(bot, 101, 202, 303, 404, 505, clase="ahorro_prestamo")
    assert await cooperativas(bot).marcar(ahorro, constitutivos[0], 101) == Resultado.BLOQUEADO


async def test_paso_confirmado_por_otra_persona_avisa_a_cada_miembro_en_su_idioma(
        bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    await con_perfil(bot, john.id, "John", idioma="en")
    await con_perfil(bot, 303, "Beto")
    await con_perfil(bot, 404, "Fuera")  # no es del grupo
    cid = await grupo_con(bot, ana.id, john.id, 303)
    antes = {t: len(bot.emulador.mensajes_del_bot(t)) for t in (ana.id, john.id, 303, 404)}

    await ana.pulsa_datos(f"coop:s:{cid}:decision")
    await ana.pulsa("Ya lo hicimos")
    await bot.coopera.despachador.vaciar(10)
    # Las demás reciben «marcó como hecho… ¿Lo confirmas?»; Ana misma no puede confirmarlo.
    assert "Ana" in bot.emulador.mensajes_del_bot(303)[-1].texto_plano
    assert await cooperativas(bot).confirmar(cid, "decision", ana.id) == Resultado.MISMA_PERSONA
    respuesta = textos(await ana.pulsa_datos(f"coop:ok:{cid}:decision"))
    assert "Otra persona" in respuesta
    assert not (await bot.almacen.avances(cid))["decision"].confirmado

    # John confirma desde el aviso que le llegó.
    aviso = bot.emulador.mensajes_del_bot(john.id)[-1]
    await john.pulsa_datos(f"coop:ok:{cid}:decision", aviso.message_id)
    avance = (await bot.almacen.avances(cid))["decision"]
    assert (avance.marcado_por, avance.confirmado_por) == (ana.id, john.id)
    assert avance.confirmado_en is not None
    await bot.coopera.despachador.vaciar(10)
    completado = {t: bot.emulador.mensajes_del_bot(t)[-1].texto_plano for t in (ana.id, 303)}
    assert all("Paso completado" in texto for texto in completado.values())
    assert "Step completed" in bot.emulador.mensajes_del_bot(john.id)[-1].texto_plano
    assert len(bot.emulador.mensajes_del_bot(404)) == antes[404]  # quien no es del grupo, nada
    assert "1/" in textos(await ana.pulsa_datos(f"coop:p:{cid}"))


async def test_evidencia_guarda_el_file_id_no_el_archivo(bot: BotDePrueba, ana: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    cid = await grupo_con(bot, ana.id)
    await ana.escribe("/cooperativa")
    await ana.pulsa_datos(f"coop:ev:{cid}:decision")
    await ana.envia("foto")
    await ana.pulsa_datos(f"coop:ev:{cid}:decision")
    await ana.envia("documento")
    evidencias = await bot.almacen.evidencias(cid, "decision")
    assert [e.tipo for e in evidencias] == ["foto", "documento"]
    assert all(e.file_id and e.subida_por == ana.id for e in evidencias)
    assert evidencias[1].nombre_archivo == "archivo.pdf"
    columnas = [c[1] for c in filas(bot, "PRAGMA table_info(evidencias_cooperativa)")]
    assert not {"contenido", "datos", "bytes"} & set(columnas)
    assert "Evidencias: 2" in textos(await ana.pulsa_datos(f"coop:s:{cid}:decision"))


# --- /mis_datos y el borrado ------------------------------------------------------------------


async def test_mis_datos_muestra_los_grupos_y_borrar_deja_el_grupo_en_orden(
        bot: BotDePrueba, ana: Persona, john: Persona) -> None:
    await con_perfil(bot, ana.id, "Ana")
    await con_perfil(bot, john.id, "John")
    cid = await grupo_con(bot, ana.id, john.id)
    solo = (await cooperativas(bot).crear(ana.id, None, "Solo yo", "algo", "productores",
                                          "21114")).cooperativa_id
    await cooperativas(bot).marcar(cid, "decision", ana.id)
    await ana.pulsa_datos(f"coop:ev:{cid}:decision")
    await ana.envia("foto")

    respuesta = textos(await ana.escribe("/mis_datos"))
    assert "Tejedoras de Cholula" in respuesta and "Solo yo" in respuesta

    await ana.pulsa("Borrar todos mis datos")
    await ana.pulsa("Sí, borrar todo")
    assert all(n == 0 for n in (await bot.almacen.filas_con_id(ana.id)).values())
    assert filas(bot, "SELECT COUNT(*) FROM pasos_cooperativa WHERE marcado_por = ?",
                 ana.id) == [(0,)]
    # El grupo sigue, con John como responsable; el que era solo suyo ya no existe.
    miembros = await bot.almacen.miembros(cid)
    assert [(m.telegram_id, m.rol) for m in miembros] == [(john.id, RolMiembro.RESPONSABLE)]
    assert await bot.almacen.cooperativa(solo) is None
    assert len(await bot.almacen.evidencias(cid)) == 1  # la evidencia es del grupo, sin nombre
    await bot.coopera.despachador.vaciar(10)
    assert "responsable" in recibido(bot, john.id)


async def test_el_borrado_solo_del_almacen_tambien_pasa_la_responsabilidad(
        bot: BotDePrueba) -> None:
    await con_perfil(bot, 101, "Ana")
    await con_perfil(bot, 202, "John")
    await con_perfil(bot, 303, "Beto")
    cid = await grupo_con(bot, 101, 202, 303)
    await cooperativas(bot).nombrar_delegada(cid, 101, 303, True)
    await bot.almacen.borrar_persona(101)
    roles = {m.telegram_id: m.rol for m in await bot.almacen.miembros(cid)}
    assert roles == {202: RolMiembro.SOCIA, 303: RolMiembro.RESPONSABLE}
