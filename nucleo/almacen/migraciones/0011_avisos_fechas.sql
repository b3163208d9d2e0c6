-- «Avísame cuando haya fechas» (/cursos): quien lo pide, de qué curso (NULL: de cualquiera) y
-- cuándo. Solo con el aviso de privacidad aceptado; se borra con la persona (en cascada), al
-- cancelarlo y al avisarle: un aviso por persona cuando el personal crea fechas (nueva sesión
-- o importación), encolado en la misma transacción que las crea (nucleo/avisos_fechas.py).
-- Sin FK a un catálogo de cursos: un curso que sale del catálogo deja el pedido sin efecto.

CREATE TABLE avisos_fechas (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    curso_id     TEXT,                          -- NULL: cualquier curso
    creado_en    TEXT NOT NULL                  -- UTC ISO
);
-- Un pedido por persona y curso; y uno solo «de cualquier curso» (NULL no choca en UNIQUE).
CREATE UNIQUE INDEX avisos_fechas_por_curso ON avisos_fechas (telegram_id, curso_id)
    WHERE curso_id IS NOT NULL;
CREATE UNIQUE INDEX avisos_fechas_cualquiera ON avisos_fechas (telegram_id)
    WHERE curso_id IS NULL;
CREATE INDEX avisos_fechas_de_curso ON avisos_fechas (curso_id);
