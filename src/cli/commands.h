/* commands.h - the commands of the ewdiag programs. Each takes its own
 * argv (argv[0] is its name) and returns the exit status. */
#ifndef EWDIAG_CLI_COMMANDS_H
#define EWDIAG_CLI_COMMANDS_H

/* ewdiag [OPTION]... INPUT...: analyze and report (analyze.c). */
int cmd_analyze(int argc, char **argv);

/* ewdiag serve [OPTION]...: analyze uploads over HTTP (src/serve/). */
int cmd_serve(int argc, char **argv);
/* ewdiag queue init|submit|status|results: the work queue and the results
 * on PostgreSQL (src/queue/cmd_queue.c). */
int cmd_queue(int argc, char **argv);
/* ewdiag worker: takes the queue's jobs (src/queue/cmd_worker.c). */
int cmd_worker(int argc, char **argv);

/* A helper program's commands (ewdiag-serve, ewdiag-queue). */
typedef struct ew_command {
    const char *name;
    int (*run)(int argc, char **argv);
} ew_command;

/* The main of a helper program `prog`, run by ewdiag as "PROG COMMAND
 * ARG..." (helpers.h): the command of `table` named by argv[1], on
 * argv + 1. Anything else is a usage error (EXIT_TROUBLE). */
int ew_run_command(const char *prog, const ew_command *table, int argc, char **argv);

#endif
