/* commands.h - the commands of the ewdiag program. Each takes its own
 * argv (argv[0] is its name) and returns the exit status. */
#ifndef EWDIAG_CLI_COMMANDS_H
#define EWDIAG_CLI_COMMANDS_H

/* ewdiag [OPTION]... INPUT...: analyze and report (analyze.c). */
int cmd_analyze(int argc, char **argv);

/* ewdiag serve [OPTION]...: analyze uploads over HTTP (src/serve/). */
int cmd_serve(int argc, char **argv);

#endif
