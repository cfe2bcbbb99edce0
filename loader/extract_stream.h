/* extract_stream.h — a native extract streamed over one connection per staging table */
#ifndef MISSWITCH_EXTRACT_STREAM_H
#define MISSWITCH_EXTRACT_STREAM_H

#include "extract_load.h"

/*
 * extractLoad's path for native files (docs/loader.md, design b): the control connection takes a
 * token (misswitch.extract_pending_open, 0015); seven more connections to conninfo each COPY one
 * staging table's rows (and school sections and findings) into a fresh pending table as the file
 * is read, in ~64 KiB messages; once the file has been read to its end they commit and build their
 * indexes at the same time, and the control connection publishes the file in one transaction
 * (checks, earlier load replaced, partitions attached). Atomic as extractLoad says: a failure
 * anywhere drops the pending tables, and a killed load's are swept by the next.
 */
bool extractStreamLoad(Db *control, const char *conninfo, ExtractReader *reader, const char *role,
                       const char *sourceFile, ExtractWarn warn, void *warnContext,
                       ExtractLoadResult *result, Error *err);

#endif
