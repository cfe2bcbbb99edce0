/* gen_platform.h — writes platform.sql: the reference platform schema and a generated school */
#ifndef MISSWITCH_GEN_PLATFORM_H
#define MISSWITCH_GEN_PLATFORM_H

#include <stdbool.h>

#include "error.h"
#include "gen_model.h"

/*
 * DIR/platform.sql is self-contained: the reference schema (as embedded in the binary), then
 * multi-row INSERTs of about a thousand rows with explicit ids, then the sequences set past
 * them. It runs with `psql -v ON_ERROR_STOP=1 -f` and as one PQexec: no psql meta-commands,
 * no COPY. Every statement of the data part ends a line with ";" and no value holds a line
 * break, so the data part can also be run statement-group by statement-group.
 * *dataOffset receives the byte offset where the data part begins.
 */
bool genPlatformWrite(const GenModel *model, const char *dir, const char *header,
                      long *dataOffset, Error *err);

#endif
