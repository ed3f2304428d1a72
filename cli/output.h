/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One print path for text and JSON, in the iproute2 style: every value is
 * printed once, with a JSON key and a text format. In JSON mode the format is
 * ignored; in text mode the key is.
 */
#ifndef LB_CLI_OUTPUT_H
#define LB_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

void out_init(FILE *f, bool json);
bool out_is_json(void);

void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);

void out_uint(const char *key, const char *fmt, unsigned long long v);
void out_int(const char *key, const char *fmt, long long v);
void out_string(const char *key, const char *fmt, const char *s);
void out_double(const char *key, const char *fmt, double v);
/* JSON true/false; text gets "on"/"off" through @fmt. */
void out_bool(const char *key, const char *fmt, bool v);
/* JSON null; @text is printed in text mode. */
void out_null(const char *key, const char *text);
/* Text mode only: newlines, headings. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End of output: a newline after the JSON document. */
void out_finish(void);

/*
 * Every string goes out through these (man latebind, NAMES). Text: control
 * characters, DEL, C1 controls and bytes that are no UTF-8 as \xNN, a
 * backslash as \\. JSON: a string literal, quotes included, whose decoded
 * value is spelled the same way, except that controls are \u00NN escapes.
 */
void json_write_string(FILE *f, const char *s);
void text_write_string(FILE *f, const char *s);
/*
 * A Prometheus label value, quotes included: the text form above (valid
 * UTF-8, no controls), with its backslashes and double quotes escaped.
 */
void metrics_label_value(FILE *f, const char *s);

#endif
