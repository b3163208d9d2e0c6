"""Piezas de pantalla que comparten los comandos de un paso (handlers/) y los flujos
(conversaciones/): responder y teclados, el menú, el aviso de privacidad, páginas, el acceso
del personal y las fichas que se muestran en varios lugares.

Las flechas van hacia abajo: handlers/ y conversaciones/ importan de aquí; esto importa solo
de nucleo/ y de las bibliotecas, nunca de una pantalla.
"""
