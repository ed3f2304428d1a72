// Command latebind-go-bind binds a latebind pool tunnel to a real VNI, or
// unbinds it, by writing the pool's pinned maps with cilium/ebpf. It knows
// nothing of liblatebind: everything it does is described in docs/maps.md,
// "Driving the maps from another control plane".
//
//	latebind-go-bind [-netns-cookie auto] -dev UNDERLAY (-slot N | -tunnel NAME) -vni VNI [-mac MAC]
//	latebind-go-bind [-netns-cookie auto] -dev UNDERLAY (-slot N | -tunnel NAME) -unbind
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// The ABI, as docs/maps.md gives it.
const (
	abiVersion    = 4
	vniMax        = 1<<24 - 1
	egressBound   = 1 << 31
	egressMacSel  = 1 << 30
	cfgInnerMAC   = 1 << 0
	afInet        = 4
	recordSize    = 24 // struct lb_egress_val
	entrySize     = 32 // struct lb_ingress_ent
	ways          = 4  // LB_INGRESS_WAYS
	lockSize      = 64 // struct lb_pool_lock
	pinRoot       = "/sys/fs/bpf/latebind"
	soNetnsCookie = 71 // SO_NETNS_COOKIE, not in Debian 12's x/sys
	lockTimeout   = 5 * time.Second
	lockPoll      = 10 * time.Millisecond
)

// lb_pool, lb_config and lb_ingress_tab's key, field for field.
type poolInfo struct {
	Version                           uint32
	Type, Family, UDPCsum, HasLocal   uint8
	UnderlayIfindex, Count, DummyBase uint32
	Dstport, Flags                    uint16
	Remote, Local                     [16]byte
	Prefix                            [16]byte
	Group, Reserved                   uint32
}

type config struct {
	Version, DummyMin, DummyMax uint32
	GenevePort, VxlanPort       uint16
	Flags                       uint32
	IngressSeed, IngressBuckets uint32
}

type ingressKey struct {
	VNI         uint32
	Remote      [16]byte
	InnerMAC    [6]byte
	Family, Pad uint8
}

// failure is a refusal or an error with the errno the C library would return.
type failure struct {
	errno unix.Errno
	msg   string
}

func (f *failure) Error() string { return f.msg + " (" + unix.ErrnoName(f.errno) + ")" }

func fail(errno unix.Errno, format string, a ...interface{}) error {
	return &failure{errno, fmt.Sprintf(format, a...)}
}

// errnoOf is err's errno, or EIO.
func errnoOf(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return unix.EIO
}

type pool struct {
	dir        string
	info       poolInfo
	cfg        config
	cfgMap, eg *ebpf.Map
	rec        []byte // lb_egress_bind, mmapped: slot i at 24*i
	tab        []byte // lb_ingress_tab, mmapped: entry i at 32*i
}

func netnsCookie() (uint64, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	return unix.GetsockoptUint64(fd, unix.SOL_SOCKET, soNetnsCookie)
}

// The lock word's value for this process: pid << 32 | start time (low 32 bits).
func lockOwner() (uint64, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/self/stat: too few fields")
	}
	start, err := strconv.ParseUint(f[19], 10, 64) // field 22
	if err != nil {
		return 0, err
	}
	return uint64(os.Getpid())<<32 | start&0xffffffff, nil
}

// lock is a taken pool lock: the word (lb_pool_lock) or, for a pool made by
// an older latebind, the directory's flock.
type lock struct {
	dirfd int
	word  []byte // lb_pool_lock, mmapped; nil: flock
	owner uint64
}

func (l *lock) release() {
	if l.word != nil {
		atomic.StoreUint64((*uint64)(unsafe.Pointer(&l.word[8])), 0)
		atomic.CompareAndSwapUint64((*uint64)(unsafe.Pointer(&l.word[0])), l.owner, 0)
		unix.Munmap(l.word)
	}
	unix.Close(l.dirfd) // and with it the flock
}

// lockPool opens the pin directory and takes the pool's lock, waiting at
// most lockTimeout. It never takes over a dead holder's word (the C library
// does); it only waits. A directory removed meanwhile (nlink 0) is a
// destroyed pool.
func lockPool(dir string) (*lock, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fail(unix.ENOENT, "there is no latebind pool at %s: %v", dir, err)
	}
	l := &lock{dirfd: fd}
	if m, err := ebpf.LoadPinnedMap(dir+"/lb_pool_lock", nil); err == nil {
		l.word, err = unix.Mmap(m.FD(), 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		m.Close()
		if err != nil {
			unix.Close(fd)
			return nil, fail(errnoOf(err), "cannot map %s/lb_pool_lock: %v", dir, err)
		}
		if l.owner, err = lockOwner(); err != nil {
			l.release()
			return nil, fail(unix.EIO, "cannot read this process's start time: %v", err)
		}
	}
	removed := func() (bool, error) {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return false, fail(errnoOf(err), "cannot stat %s: %v", dir, err)
		}
		return st.Nlink == 0, nil
	}
	deadline := time.Now().Add(lockTimeout)
	waited := false
	for {
		if l.word != nil {
			if atomic.CompareAndSwapUint64((*uint64)(unsafe.Pointer(&l.word[0])), 0, l.owner) {
				var ns unix.Stat_t
				if unix.Stat("/proc/self/ns/pid", &ns) == nil {
					atomic.StoreUint64((*uint64)(unsafe.Pointer(&l.word[8])), ns.Ino)
				}
				break
			}
		} else if err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err == nil {
			break
		} else if err != unix.EWOULDBLOCK && err != unix.EINTR {
			l.release()
			return nil, fail(errnoOf(err), "cannot lock %s: %v", dir, err)
		}
		if gone, err := removed(); err != nil || gone {
			l.release()
			if err == nil {
				err = fail(unix.ESTALE, "the pool at %s was destroyed while we waited for its lock", dir)
			}
			return nil, err
		}
		if time.Now().After(deadline) {
			l.release()
			return nil, fail(unix.ETIMEDOUT, "the pool at %s stayed locked for %v; another control plane holds it", dir, lockTimeout)
		}
		if !waited {
			fmt.Fprintf(os.Stderr, "waiting for the lock of %s\n", dir)
			waited = true
		}
		time.Sleep(lockPoll)
	}
	if gone, err := removed(); err != nil || gone {
		l.release()
		if err == nil {
			err = fail(unix.ESTALE, "the pool at %s was destroyed while we waited for its lock", dir)
		}
		return nil, err
	}
	return l, nil
}

// openPool reads lb_pool and lb_config and maps lb_egress_bind; the caller holds the lock.
func openPool(dir string) (*pool, error) {
	p := &pool{dir: dir}
	load := func(name string) (*ebpf.Map, error) {
		m, err := ebpf.LoadPinnedMap(dir+"/"+name, nil)
		if err != nil {
			return nil, fail(unix.ENOENT, "cannot open %s/%s: %v", dir, name, err)
		}
		return m, nil
	}
	info, err := load("lb_pool")
	if err != nil {
		return nil, err
	}
	defer info.Close()
	if err = info.Lookup(uint32(0), &p.info); err != nil {
		return nil, fail(unix.EIO, "cannot read lb_pool: %v", err)
	}
	switch p.info.Version {
	case abiVersion:
	case 0:
		return nil, fail(unix.EAGAIN, "the pool at %s is still being created (lb_pool version 0)", dir)
	default:
		return nil, fail(unix.EPROTO, "the pool at %s has ABI version %d; this program speaks %d", dir, p.info.Version, abiVersion)
	}
	if p.cfgMap, err = load("lb_config"); err != nil {
		return nil, err
	}
	if err = p.cfgMap.Lookup(uint32(0), &p.cfg); err != nil {
		return nil, fail(unix.EIO, "cannot read lb_config: %v", err)
	}
	n := p.info.Count
	if p.cfg.Version != abiVersion || n == 0 || n > 65536 ||
		p.cfg.DummyMin != p.info.DummyBase || p.cfg.DummyMax != p.info.DummyBase+n-1 {
		return nil, fail(unix.EINVAL, "the pool pinned in %s is inconsistent", dir)
	}
	b := p.cfg.IngressBuckets
	if b < 2 || b&(b-1) != 0 || b > 32768 {
		return nil, fail(unix.EINVAL, "lb_config names %d ingress buckets: not a power of two from 2 to 32768", b)
	}
	tab, err := load("lb_ingress_tab")
	if err != nil {
		return nil, err
	}
	defer tab.Close()
	tsize := (int(b)*ways*entrySize + os.Getpagesize() - 1) / os.Getpagesize() * os.Getpagesize()
	if p.tab, err = unix.Mmap(tab.FD(), 0, tsize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return nil, fail(errnoOf(err), "cannot map lb_ingress_tab: %v", err)
	}
	if p.eg, err = load("lb_egress_bind"); err != nil {
		return nil, err
	}
	page := os.Getpagesize()
	size := (int(n)*recordSize + page - 1) / page * page
	if p.rec, err = unix.Mmap(p.eg.FD(), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return nil, fail(errnoOf(err), "cannot map lb_egress_bind: %v", err)
	}
	return p, nil
}

// word is slot's binding word; only atomic loads and stores touch it.
func (p *pool) word(slot uint32) *uint32 {
	return (*uint32)(unsafe.Pointer(&p.rec[slot*recordSize]))
}

func (p *pool) ifindex(slot uint32) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&p.rec[slot*recordSize+4])))
}

// mac is the 8-byte lb_egress_mac mac[sel] of slot: addr[6], set, pad.
func (p *pool) mac(slot uint32, sel uint32) []byte {
	off := slot*recordSize + 8 + 8*sel
	return p.rec[off : off+8]
}

func sel(w uint32) uint32 {
	if w&egressMacSel != 0 {
		return 1
	}
	return 0
}

// boundMAC is the inner MAC of slot's committed binding w, nil for the wildcard.
func (p *pool) boundMAC(slot, w uint32) net.HardwareAddr {
	m := p.mac(slot, sel(w))
	if m[6] == 0 {
		return nil
	}
	return net.HardwareAddr(append([]byte(nil), m[:6]...))
}

func (p *pool) key(vni uint32, mac net.HardwareAddr) ingressKey {
	k := ingressKey{VNI: vni, Family: p.info.Family}
	if p.info.Family == afInet {
		copy(k.Remote[:4], p.info.Remote[:4])
	} else {
		k.Remote = p.info.Remote
	}
	copy(k.InnerMAC[:], mac)
	return k
}

// owns: does slot's committed binding name key k?
func (p *pool) owns(slot uint32, k *ingressKey) bool {
	w := atomic.LoadUint32(p.word(slot))
	if w&egressBound == 0 || w&^(egressBound|egressMacSel) != k.VNI {
		return false
	}
	m := p.boundMAC(slot, w)
	if m == nil {
		m = make(net.HardwareAddr, 6)
	}
	return bytes.Equal(m, k.InnerMAC[:])
}

func (p *pool) remote() net.IP {
	if p.info.Family == afInet {
		return net.IP(p.info.Remote[:4])
	}
	return net.IP(p.info.Remote[:])
}

func (p *pool) tunnelName(slot uint32) string {
	if ifi, err := net.InterfaceByIndex(int(p.ifindex(slot))); err == nil {
		return ifi.Name
	}
	return fmt.Sprintf("%s%d", strings.TrimRight(string(p.info.Prefix[:]), "\x00"), slot)
}

func describe(k *ingressKey, remote net.IP) string {
	s := fmt.Sprintf("VNI %d from %v", k.VNI, remote)
	if k.InnerMAC != [6]byte{} {
		s += " with inner MAC " + net.HardwareAddr(k.InnerMAC[:]).String()
	}
	return s
}

// bytes is the key's 28 bytes, as the table holds them.
func (k *ingressKey) bytes() []byte {
	b := make([]byte, 28)
	binary.LittleEndian.PutUint32(b[0:], k.VNI)
	copy(b[4:20], k.Remote[:])
	copy(b[20:26], k.InnerMAC[:])
	b[26], b[27] = k.Family, k.Pad
	return b
}

// buckets gives the first entry of each of the key's two buckets (lb_ingress_hash).
func (p *pool) buckets(kb []byte) [2]uint32 {
	var w [7]uint64
	for i := range w {
		w[i] = uint64(binary.LittleEndian.Uint32(kb[4*i:]))
	}
	h := (w[0]^w[2]^w[4]^w[6])<<32 | (w[1] ^ w[3] ^ w[5] ^ uint64(p.cfg.IngressSeed))
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 29
	mask := uint64(p.cfg.IngressBuckets - 1)
	b0, b1 := h&mask, (h>>32)&mask
	if b1 == b0 {
		b1 = (b0 + 1) & mask
	}
	return [2]uint32{uint32(b0) * ways, uint32(b1) * ways}
}

func (p *pool) entry(i uint32) []byte { return p.tab[i*entrySize : (i+1)*entrySize] }

func (p *pool) word32(i uint32, off int) *uint32 {
	return (*uint32)(unsafe.Pointer(&p.tab[int(i)*entrySize+off]))
}

// find is the index of k's entry, or -1.
func (p *pool) find(k *ingressKey) int64 {
	kb := k.bytes()
	for _, first := range p.buckets(kb) {
		for i := first; i < first+ways; i++ {
			if bytes.Equal(p.entry(i)[:28], kb) {
				return int64(i)
			}
		}
	}
	return -1
}

// room is an empty entry in the emptier of k's buckets, or -1. This consumer
// does not move other keys (the C library does): with both buckets full it
// refuses, and never loses or duplicates a key.
func (p *pool) room(k *ingressKey) int64 {
	var free [2]int64
	var used [2]int
	for b, first := range p.buckets(k.bytes()) {
		free[b] = -1
		for i := first; i < first+ways; i++ {
			if p.entry(i)[26] != 0 {
				used[b]++
			} else if free[b] < 0 {
				free[b] = int64(i)
			}
		}
	}
	if free[1] >= 0 && (free[0] < 0 || used[1] < used[0]) {
		return free[1]
	}
	return free[0]
}

// fill writes k -> dummy into the empty entry i: the family's word last.
func (p *pool) fill(i uint32, k *ingressKey, dummy uint32) {
	kb := k.bytes()
	copy(p.entry(i)[:24], kb[:24])
	atomic.StoreUint32(p.word32(i, 28), dummy)
	atomic.StoreUint32(p.word32(i, 24), binary.LittleEndian.Uint32(kb[24:]))
}

// empty clears entry i: the family's word first.
func (p *pool) empty(i uint32) {
	atomic.StoreUint32(p.word32(i, 24), 0)
	e := p.entry(i)
	for j := 0; j < 24; j++ {
		e[j] = 0
	}
	atomic.StoreUint32(p.word32(i, 28), 0)
}

// claim inserts ingress key k -> dummy; an existing entry is ours, another
// tunnel's committed binding (refused), or a leftover (taken over).
func (p *pool) claim(k *ingressKey, dummy uint32) (inserted int64, err error) {
	i := p.find(k)
	if i < 0 {
		if i = p.room(k); i < 0 {
			return -1, fail(unix.ENOSPC, "the ingress table has no room for %s: both of its buckets are full", describe(k, p.remote()))
		}
		p.fill(uint32(i), k, dummy)
		return i, nil
	}
	cur := atomic.LoadUint32(p.word32(uint32(i), 28))
	if cur == dummy {
		return -1, nil
	}
	if owner := cur - p.info.DummyBase; owner < p.info.Count && p.owns(owner, k) {
		hint := ""
		if k.InnerMAC == [6]byte{} {
			hint = "; tell them apart with -mac"
		}
		return -1, fail(unix.EADDRINUSE, "%s is already bound to tunnel %s%s",
			describe(k, p.remote()), p.tunnelName(owner), hint)
	}
	atomic.StoreUint32(p.word32(uint32(i), 28), dummy)
	return -1, nil
}

// drop empties k's entry, if any.
func (p *pool) drop(k *ingressKey) {
	if i := p.find(k); i >= 0 {
		p.empty(uint32(i))
	}
}

// enableMACLookup sets LB_CFG_F_INNER_MAC in lb_config (read, modify, write).
func (p *pool) enableMACLookup() error {
	var c config
	if err := p.cfgMap.Lookup(uint32(0), &c); err != nil {
		return fail(unix.EIO, "cannot read lb_config: %v", err)
	}
	if c.Flags&cfgInnerMAC != 0 {
		return nil
	}
	c.Flags |= cfgInnerMAC
	if err := p.cfgMap.Update(uint32(0), &c, ebpf.UpdateExist); err != nil {
		return fail(unix.EIO, "cannot write lb_config: %v", err)
	}
	return nil
}

func (p *pool) checkBind(slot, vni uint32, mac net.HardwareAddr) error {
	last := p.info.DummyBase + p.info.Count - 1
	switch {
	case slot >= p.info.Count:
		return fail(unix.EINVAL, "slot %d is outside the pool (0-%d)", slot, p.info.Count-1)
	case vni > vniMax:
		return fail(unix.ERANGE, "VNI %d is outside 0-%d", vni, vniMax)
	case vni >= p.info.DummyBase && vni <= last:
		return fail(unix.EINVAL, "VNI %d is inside the pool's dummy range %d-%d", vni, p.info.DummyBase, last)
	case mac != nil && bytes.Equal(mac, make([]byte, 6)):
		return fail(unix.EINVAL, "inner MAC %v is not a unicast address", mac)
	case mac != nil && mac[0]&1 != 0:
		return fail(unix.EINVAL, "inner MAC %v is multicast; a tunnel is told apart by its unicast MAC", mac)
	}
	return nil
}

// bind follows docs/maps.md: claim the ingress entry, fill mac[!sel], commit
// the word with one store, then drop a rebind's old entry.
func (p *pool) bind(slot, vni uint32, mac net.HardwareAddr) error {
	if err := p.checkBind(slot, vni, mac); err != nil {
		return err
	}
	dummy := p.info.DummyBase + slot
	old := atomic.LoadUint32(p.word(slot))
	var oldKey ingressKey
	if old&egressBound != 0 {
		oldKey = p.key(old&^(egressBound|egressMacSel), p.boundMAC(slot, old))
	}
	k := p.key(vni, mac)
	inserted, err := p.claim(&k, dummy)
	if err == nil && mac != nil {
		err = p.enableMACLookup()
	}
	if err != nil {
		if inserted >= 0 {
			p.empty(uint32(inserted))
		}
		return err
	}
	s := 1 - sel(old)
	m := p.mac(slot, s)
	for i := range m {
		m[i] = 0
	}
	if mac != nil {
		copy(m, mac)
		m[6] = 1
	}
	atomic.StoreUint32(p.word(slot), egressBound|s<<30|vni)
	fmt.Printf("bound %s (slot %d, dummy VNI %d) to %s\n", p.tunnelName(slot), slot, dummy, describe(&k, p.remote()))
	if old&egressBound != 0 && oldKey != k {
		p.drop(&oldKey)
		fmt.Printf("  was %s; its ingress entry is deleted\n", describe(&oldKey, p.remote()))
	}
	return nil
}

// unbind stores 0 into the word first, then deletes the old ingress entry.
func (p *pool) unbind(slot uint32) error {
	old := atomic.LoadUint32(p.word(slot))
	if old&egressBound == 0 {
		fmt.Printf("%s (slot %d) was not bound: nothing to do\n", p.tunnelName(slot), slot)
		return nil
	}
	k := p.key(old&^(egressBound|egressMacSel), p.boundMAC(slot, old))
	atomic.StoreUint32(p.word(slot), 0)
	p.drop(&k)
	fmt.Printf("unbound %s (slot %d), was %s\n", p.tunnelName(slot), slot, describe(&k, p.remote()))
	return nil
}

// slotOf finds the slot whose egress record holds the tunnel's ifindex.
func (p *pool) slotOf(name string) (uint32, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, fail(unix.ENODEV, "no device %q in this network namespace", name)
	}
	for s := uint32(0); s < p.info.Count; s++ {
		if p.ifindex(s) == uint32(ifi.Index) {
			return s, nil
		}
	}
	return 0, fail(unix.ENOENT, "%s is not a tunnel of the pool at %s", name, p.dir)
}

// parseVNI takes decimal or 0x hex; a leading zero is refused, as the CLI does.
func parseVNI(s string) (uint32, error) {
	digits, base := s, 10
	if strings.HasPrefix(s, "0x") {
		digits, base = s[2:], 16
	} else if len(s) > 1 && s[0] == '0' {
		return 0, fail(unix.EINVAL, "invalid VNI %q: a leading zero is ambiguous", s)
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if errors.Is(err, strconv.ErrRange) || (err == nil && v > vniMax) {
		return 0, fail(unix.ERANGE, "VNI %s is outside 0-%d", s, vniMax)
	}
	if err != nil {
		return 0, fail(unix.EINVAL, "invalid VNI %q: not a number", s)
	}
	return uint32(v), nil
}

func run() error {
	cookieArg := flag.String("netns-cookie", "auto", "network namespace cookie of the pins, or auto (this namespace)")
	dev := flag.String("dev", "", "the pool's underlay device (name, or ifindex)")
	slotArg := flag.String("slot", "", "the tunnel's slot in the pool")
	tunnel := flag.String("tunnel", "", "the tunnel device (instead of -slot)")
	vniArg := flag.String("vni", "", "the real VNI to bind")
	macArg := flag.String("mac", "", "inner destination MAC of the binding (optional)")
	unbind := flag.Bool("unbind", false, "unbind the tunnel")
	flag.Parse()
	if flag.NArg() != 0 || *dev == "" || (*slotArg == "") == (*tunnel == "") || *unbind == (*vniArg != "") ||
		(*unbind && *macArg != "") {
		flag.Usage()
		return fail(unix.EINVAL, "need -dev, one of -slot and -tunnel, and -vni (with an optional -mac) or -unbind")
	}
	var vni uint32
	var mac net.HardwareAddr
	var err error
	if !*unbind {
		if vni, err = parseVNI(*vniArg); err != nil {
			return err
		}
		if *macArg != "" {
			if mac, err = net.ParseMAC(*macArg); err != nil || len(mac) != 6 {
				return fail(unix.EINVAL, "invalid -mac %q: expected aa:bb:cc:dd:ee:ff", *macArg)
			}
		}
	}
	var cookie uint64
	if *cookieArg == "auto" {
		if cookie, err = netnsCookie(); err != nil {
			return fail(errnoOf(err), "cannot read the network namespace cookie: %v", err)
		}
	} else if cookie, err = strconv.ParseUint(*cookieArg, 10, 64); err != nil {
		return fail(unix.EINVAL, "invalid -netns-cookie %q", *cookieArg)
	}
	ifindex, err := strconv.ParseUint(*dev, 10, 32)
	if err != nil {
		ifi, err := net.InterfaceByName(*dev)
		if err != nil {
			return fail(unix.ENODEV, "no device %q in this network namespace", *dev)
		}
		ifindex = uint64(ifi.Index)
	}

	dir := fmt.Sprintf("%s/%d/%d", pinRoot, cookie, ifindex)
	l, err := lockPool(dir)
	if err != nil {
		return err
	}
	defer l.release() // after everything below
	p, err := openPool(dir)
	if err != nil {
		return err
	}
	fmt.Printf("pool %s: remote %v, %d tunnels, dummy VNIs %d-%d, ABI %d\n", dir, p.remote(),
		p.info.Count, p.info.DummyBase, p.info.DummyBase+p.info.Count-1, p.info.Version)
	var slot uint32
	if *tunnel != "" {
		if slot, err = p.slotOf(*tunnel); err != nil {
			return err
		}
	} else if s, err := strconv.ParseUint(*slotArg, 10, 32); err != nil || s >= uint64(p.info.Count) {
		return fail(unix.EINVAL, "slot %s is outside the pool (0-%d)", *slotArg, p.info.Count-1)
	} else {
		slot = uint32(s)
	}
	if *unbind {
		return p.unbind(slot)
	}
	return p.bind(slot, vni, mac)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "latebind-go-bind: %v\n", err)
		os.Exit(1)
	}
}
