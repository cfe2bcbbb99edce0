/* gen_load.h — runs a written platform.sql in a database, for `gen -d CONNINFO` */
#ifndef MISSWITCH_GEN_LOAD_H
#define MISSWITCH_GEN_LOAD_H

#include <stdbool.h>

#include "error.h"

/*
 * Creates the reference platform in the database and loads the generated data, in one
 * transaction: the embedded schema, then platform.sql from dataOffset on, in chunks cut at
 * statement ends, so a million pupils never sit in memory at once. A database that already
 * has a platform schema is refused (nothing is changed).
 */
bool genLoadPlatform(const char *conninfo, const char *path, long dataOffset, char *database,
                     size_t databaseSize, Error *err);

#endif
