#!/usr/bin/env bash
# Revisa el paquete tal como se instala (no editable), cada caso en un venv nuevo y corriendo
# desde una carpeta vacía, para que nada se encuentre por estar junto al código fuente:
#   1. `pip install .`          sin aiohttp; `coopera-puebla --help` funciona; sin tests/;
#                               `import emulador` y `--local` dicen cómo instalar el modo local.
#   2. `pip install ".[local]"` `coopera-puebla --local` saluda y muestra el aviso de privacidad
#                               (así se comprueba que el contenido y los catálogos van en el paquete).
# Uso: bash .ci/instalacion.sh   (desde cualquier carpeta; sale con 1 y dice qué falló)
set -euo pipefail

RAIZ="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Que nada del entorno apunte al código fuente ni cambie el contenido.
unset PYTHONPATH COOPERA_CONTENIDO COOPERA_BD TELEGRAM_BOT_TOKEN TELEGRAM_BASE_URL VIRTUAL_ENV

falla() {
    echo >&2
    echo "==== instalacion.sh: FALLÓ: $1" >&2
    if [[ -n "${2:-}" && -f "$2" ]]; then
        echo "---- salida:" >&2
        tail -n 40 "$2" >&2
    fi
    exit 1
}

paso() { echo "instalacion.sh: $*"; }

# Una copia del código (sin venvs, git ni restos de compilación): pip compila ahí su build/
# y la carpeta del proyecto queda como estaba.
FUENTE="$TMP/fuente"
mkdir -p "$FUENTE"
tar -C "$RAIZ" --exclude=./.git --exclude=./.venv --exclude=./build --exclude='*.egg-info' \
    --exclude=__pycache__ --exclude=./datos --exclude=./.env -cf - . | tar -C "$FUENTE" -xf -

# Instala en un venv nuevo: nuevo_venv CARPETA REQUISITO
nuevo_venv() {
    local venv="$1" requisito="$2"
    "$PYTHON" -m venv "$venv" || falla "no se pudo crear el venv $venv"
    (cd "$FUENTE" && timeout 300 "$venv/bin/python" -m pip install --quiet "$requisito") \
        >"$venv.log" 2>&1 || falla "python -m pip install \"$requisito\" no funcionó" "$venv.log"
}

# ---------------------------------------------------------------- 1. instalación de producción
paso 'venv nuevo con python -m pip install . (sin el modo local)'
nuevo_venv "$TMP/prod" "."
VACIA="$TMP/vacia-prod"
mkdir -p "$VACIA"
cd "$VACIA"
SALIDA="$TMP/prod.salida"

if "$TMP/prod/bin/python" -c "import aiohttp" >"$SALIDA" 2>&1; then
    falla "aiohttp quedó instalado con 'pip install .': debe venir solo con el extra [local]"
fi
"$TMP/prod/bin/python" -m pip show --files coopera-puebla >"$SALIDA" 2>&1 \
    || falla "pip show coopera-puebla no funcionó" "$SALIDA"
if grep -Eq '^ +tests/' "$SALIDA"; then
    falla "el paquete instalado incluye tests/ (no debe)" "$SALIDA"
fi
for dato in contenido/privacidad.yaml contenido/municipios.csv contenido/locales/mensajes.pot \
    contenido/locales/en/LC_MESSAGES/mensajes.po nucleo/almacen/migraciones/0001_personas.sql; do
    grep -q "^ *$dato\$" "$SALIDA" || falla "falta $dato en el paquete instalado" "$SALIDA"
done
timeout 30 "$TMP/prod/bin/coopera-puebla" --help >"$SALIDA" 2>&1 \
    || falla "coopera-puebla --help no funciona en la instalación de producción" "$SALIDA"
grep -q -- "--local" "$SALIDA" || falla "coopera-puebla --help no menciona --local" "$SALIDA"
if "$TMP/prod/bin/python" -c "import emulador" >"$SALIDA" 2>&1; then
    falla "'import emulador' funcionó sin aiohttp: debe fallar y decir cómo instalarlo"
fi
grep -q 'coopera-puebla\[local\]' "$SALIDA" \
    || falla "'import emulador' sin aiohttp no dice cómo instalar el modo local" "$SALIDA"
if timeout 30 "$TMP/prod/bin/coopera-puebla" --local </dev/null >"$SALIDA" 2>&1; then
    falla "coopera-puebla --local arrancó sin aiohttp" "$SALIDA"
fi
grep -q 'coopera-puebla\[local\]' "$SALIDA" \
    || falla "coopera-puebla --local sin aiohttp no dice cómo instalar el modo local" "$SALIDA"

# ---------------------------------------------------------------- 2. instalación con modo local
paso 'venv nuevo con python -m pip install ".[local]"'
nuevo_venv "$TMP/local" ".[local]"
VACIA="$TMP/vacia-local"
mkdir -p "$VACIA"
cd "$VACIA"
SALIDA="$TMP/local.salida"
printf '/start\n/salir\n' | timeout 60 "$TMP/local/bin/coopera-puebla" --local >"$SALIDA" 2>&1 \
    || falla "coopera-puebla --local no terminó bien (o tardó más de 60 s)" "$SALIDA"
for texto in "Soy" "Coopera Puebla" "Aviso de privacidad"; do
    grep -q "$texto" "$SALIDA" \
        || falla "coopera-puebla --local no mostró «$texto» tras /start" "$SALIDA"
done

paso "bien: el paquete se instala y arranca sin el código fuente (${SECONDS} s)"
