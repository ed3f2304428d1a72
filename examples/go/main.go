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
	abiVersion    = 3
	vniMax        = 1<<24 - 1
	egressBound   = 1 << 31
	egressMacSel  = 1 << 30
	cfgInnerMAC   = 1 << 0
	afInet        = 4
	recordSize    = 24 // struct lb_egress_val
	pinRoot       = "/sys/fs/bpf/latebind"
	soNetnsCookie = 71 // SO_NETNS_COOKIE, not in Debian 12's x/sys
	lockTimeout   = 5 * time.Second
	lockPoll      = 10 * time.Millisecond
)

// lb_pool, lb_config and lb_ingress_bind's key and value, field for field.
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
}

type ingressKey struct {
	VNI         uint32
	Remote      [16]byte
	InnerMAC    [6]byte
	Family, Pad uint8
}

type ingressVal struct{ DummyVNI, Reserved uint32 }

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
	dir                 string
	info                poolInfo
	cfg                 config
	cfgMap, ingress, eg *ebpf.Map
	rec                 []byte // lb_egress_bind, mmapped: slot i at 24*i
}

func netnsCookie() (uint64, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	return unix.GetsockoptUint64(fd, unix.SOL_SOCKET, soNetnsCookie)
}

// lockPool opens the pin directory and takes its flock, waiting at most
// lockTimeout. A directory removed meanwhile (nlink 0) is a destroyed pool.
func lockPool(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fail(unix.ENOENT, "there is no latebind pool at %s: %v", dir, err)
	}
	deadline := time.Now().Add(lockTimeout)
	waited := false
	for {
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			unix.Close(fd)
			return -1, fail(errnoOf(err), "cannot lock %s: %v", dir, err)
		}
		if time.Now().After(deadline) {
			unix.Close(fd)
			return -1, fail(unix.ETIMEDOUT, "the pool at %s stayed locked for %v; another control plane holds it", dir, lockTimeout)
		}
		if !waited {
			fmt.Fprintf(os.Stderr, "waiting for the lock of %s\n", dir)
			waited = true
		}
		time.Sleep(lockPoll)
	}
	var st unix.Stat_t
	if err = unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fail(errnoOf(err), "cannot stat %s: %v", dir, err)
	}
	if st.Nlink == 0 {
		unix.Close(fd)
		return -1, fail(unix.ESTALE, "the pool at %s was destroyed while we waited for its lock", dir)
	}
	return fd, nil
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
	if p.ingress, err = load("lb_ingress_bind"); err != nil {
		return nil, err
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

// claim inserts ingress key k -> dummy; an existing entry is ours, another
// tunnel's committed binding (refused), or a leftover (taken over).
func (p *pool) claim(k *ingressKey, dummy uint32) (inserted bool, err error) {
	v := ingressVal{DummyVNI: dummy}
	if err = p.ingress.Update(k, &v, ebpf.UpdateNoExist); err == nil {
		return true, nil
	}
	if !errors.Is(err, ebpf.ErrKeyExist) {
		return false, fail(unix.EIO, "cannot write the ingress binding: %v", err)
	}
	var cur ingressVal
	if err = p.ingress.Lookup(k, &cur); err != nil {
		return false, fail(unix.EIO, "cannot read the ingress binding: %v", err)
	}
	if cur.DummyVNI == dummy {
		return false, nil
	}
	if owner := cur.DummyVNI - p.info.DummyBase; owner < p.info.Count && p.owns(owner, k) {
		hint := ""
		if k.InnerMAC == [6]byte{} {
			hint = "; tell them apart with -mac"
		}
		return false, fail(unix.EADDRINUSE, "%s is already bound to tunnel %s%s",
			describe(k, p.remote()), p.tunnelName(owner), hint)
	}
	if err = p.ingress.Update(k, &v, ebpf.UpdateExist); err != nil {
		return false, fail(unix.EIO, "cannot write the ingress binding: %v", err)
	}
	return false, nil
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
		if inserted {
			p.ingress.Delete(&k)
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
		p.ingress.Delete(&oldKey)
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
	p.ingress.Delete(&k)
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
	fd, err := lockPool(dir)
	if err != nil {
		return err
	}
	defer unix.Close(fd) // releases the lock, after everything below
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
