/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Attributes a test sets and reads back (size, mode, numeric owner and
 * group, times) and file system operations on file handles, one
 * SEQUENCE'd compound each.
 *
 * Every dc_fs_*() call returns the transport status (0 when a COMPOUND
 * reply was decoded) and stores in *st the compound status, which is
 * that of the operation that decided (the first that failed, or the
 * last).  Outputs (handles, stateids, attributes) are set only when *st
 * is NFS4_OK.  The owner and group are sent as numeric strings, as a
 * server with Only_Numeric_Owners expects.
 */
#ifndef DITTO_FSOPS_H
#define DITTO_FSOPS_H

#include "session.h"

/* Which members of struct dc_sattr are sent. */
#define DC_SA_SIZE 0x01u
#define DC_SA_MODE 0x02u
#define DC_SA_OWNER 0x04u
#define DC_SA_GROUP 0x08u
#define DC_SA_ATIME 0x10u /* time_access_set */
#define DC_SA_MTIME 0x20u /* time_modify_set */
/* RFC 9754 time_deleg_access/modify from atime/mtime (NFSv4.2) */
#define DC_SA_DELEG_ATIME 0x40u
#define DC_SA_DELEG_MTIME 0x80u

struct dc_sattr {
	unsigned int set; /* DC_SA_* */
	uint64_t size;
	uint32_t mode; /* with the set-ID and sticky bits */
	uint32_t uid, gid;
	/* SET_TO_SERVER_TIME4 when true, else SET_TO_CLIENT_TIME4 */
	bool atime_server, mtime_server;
	nfstime4 atime, mtime;
};

/* Which members of struct dc_gattr a reply carried. */
#define DC_GA_TYPE 0x01u
#define DC_GA_SIZE 0x02u
#define DC_GA_FILEID 0x04u
#define DC_GA_MODE 0x08u
#define DC_GA_NUMLINKS 0x10u
#define DC_GA_OWNER 0x20u
#define DC_GA_GROUP 0x40u
#define DC_GA_MTIME 0x80u
#define DC_GA_CHANGE 0x100u
#define DC_GA_ATIME 0x200u

struct dc_gattr {
	unsigned int have; /* DC_GA_* */
	uint32_t type; /* nfs_ftype4 */
	uint64_t change, size, fileid;
	uint32_t mode, numlinks;
	/* Numeric owner and group; the strings as sent by the server. */
	uint32_t uid, gid;
	char owner[64], group[64];
	nfstime4 atime, mtime;
};

/* Encode sa into fa, in memory owned by c. */
void dc_fattr_encode(struct dc_compound *c, fattr4 *fa,
		     const struct dc_sattr *sa);
/*
 * Decode fa into ga.  False when fa holds an attribute this decoder does
 * not know (it asks only for those of dc_op_getattr_std()).
 */
bool dc_fattr_decode(const fattr4 *fa, struct dc_gattr *ga);

/* SETATTR sa; sid NULL is the anonymous stateid. */
void dc_op_setattr(struct dc_compound *c, const stateid4 *sid,
		   const struct dc_sattr *sa);
/* GETATTR of everything struct dc_gattr holds. */
void dc_op_getattr_std(struct dc_compound *c);
/*
 * CREATE of type (NF4DIR, NF4LNK with linkdata, NF4FIFO, NF4SOCK) with
 * the attributes sa (may be NULL).
 */
void dc_op_create_obj(struct dc_compound *c, nfs_ftype4 type, const char *name,
		      const char *linkdata, const struct dc_sattr *sa);
/* OPEN by name; when create, UNCHECKED4 with createattrs sa (or none). */
void dc_op_open_attrs(struct dc_compound *c, clientid4 clid, const char *owner,
		      const char *name, bool create, uint32_t access,
		      const struct dc_sattr *sa);
void dc_op_access(struct dc_compound *c, uint32_t mask);

/* The export's root handle. */
int dc_fs_export_fh(struct dc_client *cl, nfs_fh4 *fh, nfsstat4 *st);
/* LOOKUP name in dir (LOOKUPP when name is NULL); fh may be NULL. */
int dc_fs_lookup(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		 nfs_fh4 *fh, nfsstat4 *st);
/* LOOKUPP: the parent directory of the directory dir. */
int dc_fs_lookupp(struct dc_client *cl, const nfs_fh4 *dir, nfs_fh4 *fh,
		  nfsstat4 *st);
/* dc_op_create_obj() in dir; fh (may be NULL) is the new object's. */
int dc_fs_create(struct dc_client *cl, const nfs_fh4 *dir, nfs_ftype4 type,
		 const char *name, const char *linkdata,
		 const struct dc_sattr *sa, nfs_fh4 *fh, nfsstat4 *st);
/*
 * OPEN name in dir (share access OPEN4_SHARE_ACCESS_*, no delegation
 * wanted) for the client's open owner.  With sid and fh the file stays
 * open (dc_client_close_file() closes it); with both NULL it is closed
 * again at once.
 */
int dc_fs_open(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
	       bool create, uint32_t access, const struct dc_sattr *sa,
	       stateid4 *sid, nfs_fh4 *fh, nfsstat4 *st);
/* What dc_fs_open_share() got. */
struct dc_open {
	stateid4 sid;			/* the open stateid */
	nfs_fh4 fh;			/* the file's handle (dc_fh_free()) */
	open_delegation_type4 dtype;	/* the delegation granted, if any */
	stateid4 dsid;			/* its stateid (READ or WRITE,
					 * _ATTRS_DELEG of RFC 9754 too) */
	bool recall;			/* its recall flag (10.4.4) */
	uint32_t why;			/* ond_why of OPEN_DELEGATE_NONE_EXT */
	uint32_t rflags;		/* OPEN4_RESULT_* */
};
/*
 * OPEN name in dir (NULL: the export) with share_access access (want
 * flags included, none added) and share_deny deny, for the open owner
 * owner (NULL: the one dc_fs_open() uses), then GETFH.  On NFS4_OK the
 * file stays open (dc_client_close_file(cl, &o->fh, &o->sid, ...)) and
 * o->fh is the caller's to free; *o is zeroed first.
 */
int dc_fs_open_share(struct dc_client *cl, const nfs_fh4 *dir,
		     const char *name, const char *owner, bool create,
		     uint32_t access, uint32_t deny, struct dc_open *o,
		     nfsstat4 *st);
/* DELEGRETURN of the delegation sid on fh. */
int dc_fs_delegreturn(struct dc_client *cl, const nfs_fh4 *fh,
		      const stateid4 *sid, nfsstat4 *st);
/* The server's lease time (FATTR4_LEASE_TIME of the export), seconds. */
int dc_fs_lease_time(struct dc_client *cl, uint32_t *secs, nfsstat4 *st);
/*
 * Make a directory, or a regular file (OPEN(create) UNCHECKED4, closed
 * again at once), of mode in dir, owned by the caller; for mkdir fh
 * (may be NULL) is the new directory's handle.
 */
int dc_fs_mkdir(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		uint32_t mode, nfs_fh4 *fh, nfsstat4 *st);
int dc_fs_mkfile(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		 uint32_t mode, nfsstat4 *st);
/* WRITE len bytes at off (FILE_SYNC4). */
int dc_fs_write(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
		uint64_t off, const void *data, uint32_t len, nfsstat4 *st);
int dc_fs_remove(struct dc_client *cl, const nfs_fh4 *dir, const char *name,
		 nfsstat4 *st);
/* RENAME: name from in sdir becomes name to in ddir. */
int dc_fs_rename(struct dc_client *cl, const nfs_fh4 *sdir, const char *from,
		 const nfs_fh4 *ddir, const char *to, nfsstat4 *st);
/* LINK: a new name in dir for the object file. */
int dc_fs_link(struct dc_client *cl, const nfs_fh4 *file, const nfs_fh4 *dir,
	       const char *name, nfsstat4 *st);
/* SETATTR sa on fh; sid NULL is the anonymous stateid. */
int dc_fs_setattr(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
		  const struct dc_sattr *sa, nfsstat4 *st);
/* SETATTR of the mode alone, and of the owner and group together. */
int dc_fs_chmod(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mode,
		nfsstat4 *st);
int dc_fs_chown(struct dc_client *cl, const nfs_fh4 *fh, uint32_t uid,
		uint32_t gid, nfsstat4 *st);
/* GETATTR of the attributes of struct dc_gattr; -EBADMSG undecodable. */
int dc_fs_getattr(struct dc_client *cl, const nfs_fh4 *fh, struct dc_gattr *ga,
		  nfsstat4 *st);
/*
 * dc_fs_getattr() again every every_ms while the server answers
 * NFS4ERR_DELAY, tries times at most; *delays (may be NULL) is how many
 * NFS4ERR_DELAY it answered.
 */
int dc_fs_getattr_retry(struct dc_client *cl, const nfs_fh4 *fh,
			struct dc_gattr *ga, unsigned int tries,
			unsigned int every_ms, unsigned int *delays,
			nfsstat4 *st);
/* The export's file counts and space (FATTR4_FILES_*, FATTR4_SPACE_*). */
struct dc_statfs {
	uint64_t favail, ffree, ftotal, savail, sfree, stotal;
};

/*
 * GETATTR of the export's root for struct dc_statfs; NFS4ERR_ATTRNOTSUPP
 * in *st when the reply lacks one of them.
 */
int dc_fs_statfs(struct dc_client *cl, struct dc_statfs *f, nfsstat4 *st);
/* ACCESS mask on fh: what the server supports and allows of it. */
int dc_fs_access(struct dc_client *cl, const nfs_fh4 *fh, uint32_t mask,
		 uint32_t *supported, uint32_t *allowed, nfsstat4 *st);
/* READDIR of the first entries (names only): status alone. */
int dc_fs_readdir(struct dc_client *cl, const nfs_fh4 *dir, nfsstat4 *st);
/*
 * READDIR of the first entries (maxcount 32768, dircount as given: 0 is
 * no hint) asking for the attributes w0, w1 (bitmap words; 0, 0: names
 * only).  The number of entries in *n, their names each followed by
 * '\n' in names (len bytes, cut short when full), the reply's eof in
 * *eof; each of them may be NULL.
 */
int dc_fs_readdir_names(struct dc_client *cl, const nfs_fh4 *dir,
			uint32_t dircount, uint32_t w0, uint32_t w1,
			char *names, size_t len, unsigned int *n, bool *eof,
			nfsstat4 *st);
/* One entry of a listing: its name and what dc_fattr_decode() made of
 * its attributes (type, size, fileid, mode, numlinks).
 */
typedef void (*dc_dirent_fn)(void *arg, const char *name,
			     const struct dc_gattr *ga);
/*
 * The whole of dir, READDIR after READDIR (cookie and verifier of the
 * last) until eof, each entry handed to fn; a listing cut by
 * NFS4ERR_NOT_SAME (the directory changed under a cookie verifier) is
 * started again, at most 8 times, after fn(arg, NULL, NULL) told the
 * caller to forget the entries it had.  -EBADMSG: undecodable
 * attributes.
 */
int dc_fs_readdir_each(struct dc_client *cl, const nfs_fh4 *dir,
		       dc_dirent_fn fn, void *arg, nfsstat4 *st);
/*
 * READ up to len bytes at off into buf (len bytes); *got and *eof from
 * the reply (data beyond len, which a server must not send, is dropped).
 */
int dc_fs_read(struct dc_client *cl, const nfs_fh4 *fh, const stateid4 *sid,
	       uint64_t off, uint32_t len, uint8_t *buf, uint32_t *got,
	       bool *eof, nfsstat4 *st);
/*
 * Best effort: remove name from dir and, if it is a directory,
 * everything below it first (to a bounded depth).  For cleaning up as
 * root; 0 once name is gone.
 */
int dc_fs_remove_tree(struct dc_client *cl, const nfs_fh4 *dir,
		      const char *name);

/*
 * LOCK [off, off + len) of fh with type (READ_LT, WRITEW_LT, ...): by
 * the new lock owner named owner (of cl's client ID, from the open
 * stateid sid) when owner is not NULL, else by the existing lock owner
 * whose lock stateid is sid.  On NFS4_OK the lock stateid goes to
 * *lock_sid, on NFS4ERR_DENIED the conflicting lock to *denied (its
 * owner string is not kept); either may be NULL.
 */
int dc_fs_lock(struct dc_client *cl, const nfs_fh4 *fh, nfs_lock_type4 type,
	       const stateid4 *sid, const char *owner, uint64_t off,
	       uint64_t len, stateid4 *lock_sid, LOCK4denied *denied,
	       nfsstat4 *st);
/* LOCKU [off, off + len) of fh; *lock_sid is updated on NFS4_OK. */
int dc_fs_locku(struct dc_client *cl, const nfs_fh4 *fh, stateid4 *lock_sid,
		uint64_t off, uint64_t len, nfsstat4 *st);

#endif
