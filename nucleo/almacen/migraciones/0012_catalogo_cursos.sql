-- El catálogo de cursos vive en la base (antes, en contenido/cursos.yaml): el personal los
-- crea, cambia, desactiva y reactiva desde Telegram (/personal → Cursos) o los importa de un
-- CSV (python bot.py importar-cursos). Son datos del programa, no de personas.
--
-- `origen`: 'ejemplo' (el catálogo inventado de contenido/cursos.yaml, solo en modo local y
-- en las pruebas), 'personal' (desde Telegram) o 'importado' (desde un CSV).
-- Un curso no se borra: se desactiva. Las sesiones viejas lo siguen nombrando (curso_id).
-- `orden`: el orden en que se muestran (el de llegada).

CREATE TABLE cursos (
    id              TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 20
                                            AND id NOT GLOB '*[^a-z0-9_]*'),
    nombre          TEXT NOT NULL,
    tema            TEXT NOT NULL,
    descripcion     TEXT NOT NULL,                  -- HTML de Telegram, ya escapado
    requisitos      TEXT NOT NULL,                  -- HTML de Telegram, ya escapado
    modalidad       TEXT NOT NULL CHECK (modalidad IN ('presencial', 'en_linea', 'mixta')),
    duracion_horas  INTEGER NOT NULL CHECK (duracion_horas BETWEEN 1 AND 500),
    activo          INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    origen          TEXT NOT NULL CHECK (origen IN ('ejemplo', 'personal', 'importado')),
    orden           INTEGER NOT NULL,
    creado_por      INTEGER,                        -- personal; NULL: servidor o ejemplo
    creado_en       TEXT NOT NULL,                  -- UTC, ISO 8601
    actualizado_en  TEXT NOT NULL
);
CREATE UNIQUE INDEX cursos_por_nombre ON cursos (nombre);
