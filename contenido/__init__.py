"""Solo marca esta carpeta como paquete: así el contenido (YAML, CSV, catálogos de idiomas)
viaja como datos del paquete instalado y se encuentra con ``Path(contenido.__file__).parent``.
Aquí no hay código.
"""
