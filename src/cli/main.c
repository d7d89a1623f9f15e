/* main.c - ewdiag: "ewdiag COMMAND ..." runs a command of the table below;
 * anything else is an analysis (analyze.c). A thin layer over the public
 * API (ewdiag.h) and nothing else. */
#include <string.h>

#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

/* A first argument naming a command runs it; an input of that name is
 * given as ./NAME. */
static const command commands[] = {
    {"serve", cmd_serve},
#ifdef EWDIAG_HAVE_QUEUE
    {"queue", cmd_queue},
    {"worker", cmd_worker},
#endif
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    for (const command *c = commands; argc > 1 && c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    return cmd_analyze(argc, argv);
}
