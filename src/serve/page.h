/* page.h - the upload page of ewdiag serve (GET /) and its script and
 * style sheet: a form that works without JavaScript; with it, bundles
 * dropped on the page are uploaded at once. */
#ifndef EWDIAG_SERVE_PAGE_H
#define EWDIAG_SERVE_PAGE_H

extern const char page_html[];
extern const char page_js[];
extern const char page_css[];

#endif
