/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The CB_NOTIFY bodies (RFC 8881 20.4): which XDR type a notify4 of
 * each notification type carries in notify_vals.
 */
#ifndef DITTO_FUZZ_XDR_NOTIFY_H
#define DITTO_FUZZ_XDR_NOTIFY_H

#include "xdr_roundtrip.h"

struct notify_body_type {
	xdrproc_t proc;
	size_t size;
};

/* NOTIFY4_CHANGE_CHILD_ATTRS .. NOTIFY4_CHANGE_COOKIE_VERIFIER */
#define NOTIFY_BODY_TYPES 6

static inline struct notify_body_type notify_body_type(unsigned int type)
{
	switch (type) {
	case NOTIFY4_CHANGE_CHILD_ATTRS:
	case NOTIFY4_CHANGE_DIR_ATTRS:
		return (struct notify_body_type){ (xdrproc_t)xdr_notify_attr4,
						  sizeof(notify_attr4) };
	case NOTIFY4_REMOVE_ENTRY:
		return (struct notify_body_type){
			(xdrproc_t)xdr_notify_remove4, sizeof(notify_remove4) };
	case NOTIFY4_ADD_ENTRY:
		return (struct notify_body_type){ (xdrproc_t)xdr_notify_add4,
						  sizeof(notify_add4) };
	case NOTIFY4_RENAME_ENTRY:
		return (struct notify_body_type){
			(xdrproc_t)xdr_notify_rename4, sizeof(notify_rename4) };
	default:
		return (struct notify_body_type){
			(xdrproc_t)xdr_notify_verifier4,
			sizeof(notify_verifier4) };
	}
}

#endif /* DITTO_FUZZ_XDR_NOTIFY_H */
