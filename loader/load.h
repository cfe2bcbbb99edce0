/* load.h — the two halves of `misswitch load`: an MIS extract, or the platform's users */
#ifndef MISSWITCH_LOAD_H
#define MISSWITCH_LOAD_H

#include "command.h"

/* misswitch load extract FILE [--format auto|native|ctf|ims] [--as new|old]
 * argv[0] is "extract". */
ExitCode loadExtract(const Options *options, int argc, char **argv);

/* misswitch load platform [--from CONNINFO]; argv[0] is "platform". */
ExitCode loadPlatform(const Options *options, int argc, char **argv);

#endif
