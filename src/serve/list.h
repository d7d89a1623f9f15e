/* list.h - the requests in flight (uploads, lookups) as intrusive lists
 * under a lock, so that SIGTERM can reach each of them. */
#ifndef EWDIAG_SERVE_LIST_H
#define EWDIAG_SERVE_LIST_H

#include <pthread.h>
#include <stddef.h>

typedef struct dlink {
    struct dlink *next, *prev;
} dlink;

/* The struct of type T whose member m is the link k. */
#define DLINK_OWNER(k, T, m) ((T *)(void *)((char *)(k) - offsetof(T, m)))

static inline void dlist_add(pthread_mutex_t *mu, dlink **head, dlink *x)
{
    pthread_mutex_lock(mu);
    x->prev = NULL;
    x->next = *head;
    if (x->next)
        x->next->prev = x;
    *head = x;
    pthread_mutex_unlock(mu);
}

/* Takes x out of the list; nothing when it is not in it. */
static inline void dlist_remove(pthread_mutex_t *mu, dlink **head, dlink *x)
{
    pthread_mutex_lock(mu);
    if (x->prev)
        x->prev->next = x->next;
    else if (*head == x)
        *head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->next = x->prev = NULL;
    pthread_mutex_unlock(mu);
}

#endif
