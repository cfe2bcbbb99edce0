/* gen_write.h — writes every output file of a generated model, on a few threads */
#ifndef MISSWITCH_GEN_WRITE_H
#define MISSWITCH_GEN_WRITE_H

#include <stdbool.h>

#include "error.h"
#include "gen_model.h"

/*
 * Writes platform.sql, both native extracts, the CTF file(s), the IMS file and truth.csv into
 * dir. The files are independent and the model is read-only, so they are written by `threads`
 * workers taking the biggest files first; every file's bytes are the same whatever the number
 * of threads. On failure reports the first failing file (in the fixed file order) and returns
 * false; files already written stay. *dataOffset: where platform.sql's data begins.
 */
bool genWriteAll(const GenModel *model, const char *dir, const char *header, unsigned threads,
                 long *dataOffset, Error *err);

/* The number of worker threads gen uses by default: the online CPUs, at most 4. */
unsigned genWriteDefaultThreads(void);

#endif
