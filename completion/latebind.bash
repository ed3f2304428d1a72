# bash completion for latebind(8)                              -*- shell-script -*-
# Self-contained: works with or without the bash-completion package.

# ip, in the namespace given with -n (if any).
_latebind_ip()
{
    if [[ -n $_lb_netns ]]; then
        ip -n "$_lb_netns" "$@" 2>/dev/null
    else
        ip "$@" 2>/dev/null
    fi
}

# Print device names; $1: members (pool tunnels), others (the rest),
# or underlays (those with a pool).
_latebind_devs()
{
    _latebind_ip -o link show | awk -v want="$1" '
        {
            name = $2; sub(/:$/, "", name); sub(/@.*/, "", name)
            idx = $1; sub(/:$/, "", idx)
            byidx[idx] = name
            member = match($0, /[ \t]alias latebind:[0-9]+/)
            if (member) {
                u = substr($0, RSTART, RLENGTH); sub(/.*latebind:/, "", u)
                under[u] = 1
            }
            if ((want == "members") == (member > 0) && want != "underlays")
                print name
        }
        END {
            if (want == "underlays")
                for (u in under)
                    if (u in byidx)
                        print byidx[u]
        }'
}

# Expand $1 to the one word of $2.. it is a prefix of, as the CLI does.
_latebind_expand()
{
    local arg=$1 w hit=
    shift
    for w in "$@"; do
        [[ $w == "$arg" ]] && { echo "$w"; return; }
        if [[ $w == "$arg"* ]]; then
            [[ -n $hit ]] && { echo "$arg"; return; }
            hit=$w
        fi
    done
    echo "${hit:-$arg}"
}

# Offer keywords of $@ not yet used among words[from..cword-1].
_latebind_keywords()
{
    local kw w i used out=()
    for kw in "$@"; do
        used=
        for ((i = _lb_from; i < COMP_CWORD; i++)); do
            w=${COMP_WORDS[i]}
            [[ $w == "$kw" ]] && used=1
            # udpcsum and noudpcsum exclude each other
            [[ $kw == udpcsum && $w == noudpcsum ]] && used=1
            [[ $kw == noudpcsum && $w == udpcsum ]] && used=1
            [[ $kw == ipv6 && $w == noipv6 ]] && used=1
            [[ $kw == noipv6 && $w == ipv6 ]] && used=1
        done
        [[ -z $used ]] && out+=("$kw")
    done
    COMPREPLY=($(compgen -W "${out[*]}" -- "$cur"))
}

_latebind()
{
    local cur prev i cmd sub _lb_netns='' _lb_from
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # Global options come before the command.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -n) _lb_netns=${COMP_WORDS[i + 1]}; ((i++)) ;;
        -*) ;;
        *) break ;;
        esac
    done

    if ((i >= COMP_CWORD)); then
        if [[ $prev == -n ]]; then
            COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{print $1}')" -- "$cur"))
        elif [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "-j -n -v -h" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "pool apply bind unbind show stats gc exporter bench datapath help" -- "$cur"))
        fi
        return
    fi

    cmd=$(_latebind_expand "${COMP_WORDS[i]}" pool apply bind unbind show stats gc exporter bench datapath help)
    _lb_from=$((i + 1))

    case $cmd in
    apply)
        case $prev in
        -f | --file) COMPREPLY=($(compgen -f -- "$cur")) ;;
        -d | --dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
        --wait-underlay) ;;
        *)
            local kws=(--dry-run --force --wait-underlay)
            # -f (again and again) or -d, not both
            [[ " ${COMP_WORDS[*]:_lb_from} " != *" -d "* ]] && kws+=(-f)
            [[ " ${COMP_WORDS[*]:_lb_from} " != *" -f "* ]] && kws+=(-d)
            local w out=()
            for w in "${kws[@]}"; do
                [[ $w != -f && " ${COMP_WORDS[*]:_lb_from:COMP_CWORD-_lb_from} " == *" $w "* ]] || out+=("$w")
            done
            COMPREPLY=($(compgen -W "${out[*]}" -- "$cur"))
            ;;
        esac
        return
        ;;
    bind | unbind | show | stats)
        if ((COMP_CWORD == i + 1)); then
            COMPREPLY=($(compgen -W "$(_latebind_devs members)" -- "$cur"))
            return
        fi
        [[ $cmd != bind ]] && return
        case $prev in
        vni | inner-mac) return ;;
        esac
        _lb_from=$((i + 2))
        _latebind_keywords vni inner-mac
        return
        ;;
    exporter)
        if [[ $prev == listen ]]; then
            COMPREPLY=($(compgen -W "127.0.0.1:27746 [::1]:27746 0.0.0.0:27746 [::]:27746" -- "$cur"))
        else
            _latebind_keywords listen
        fi
        return
        ;;
    pool | datapath | bench) ;;
    *) return ;;
    esac

    if ((COMP_CWORD == i + 1)); then
        if [[ $cmd == pool ]]; then
            COMPREPLY=($(compgen -W "create destroy show" -- "$cur"))
        elif [[ $cmd == bench ]]; then
            COMPREPLY=($(compgen -W "bind scale" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "attach detach show load demo" -- "$cur"))
        fi
        return
    fi
    if [[ $cmd == pool ]]; then
        sub=$(_latebind_expand "${COMP_WORDS[i + 1]}" create destroy show)
    elif [[ $cmd == bench ]]; then
        sub=$(_latebind_expand "${COMP_WORDS[i + 1]}" bind scale)
    else
        sub=$(_latebind_expand "${COMP_WORDS[i + 1]}" attach detach show load demo)
    fi
    _lb_from=$((i + 2))

    case $cmd/$sub in
    pool/create)
        case $prev in
        dev) COMPREPLY=($(compgen -W "$(_latebind_devs others)" -- "$cur")) ;;
        type) COMPREPLY=($(compgen -W "geneve vxlan" -- "$cur")) ;;
        mode) COMPREPLY=($(compgen -W "auto tcx cls_bpf" -- "$cur")) ;;
        tap-owner) COMPREPLY=($(compgen -u -- "$cur")) ;;
        remote | local | count | dummy-base | prefix | dstport | tap-prefix | netns-prefix) ;;
        *)
            local kws=(dev type remote count dummy-base prefix dstport udpcsum noudpcsum ipv6 noipv6 mode taps)
            [[ " ${COMP_WORDS[*]:_lb_from} " == *" taps "* ]] && kws+=(tap-prefix tap-owner multi-queue netns-prefix)
            # local is VXLAN only
            [[ " ${COMP_WORDS[*]:_lb_from} " != *" type geneve "* ]] && kws+=(local)
            _latebind_keywords "${kws[@]}"
            ;;
        esac
        ;;
    pool/destroy)
        if [[ $prev == dev ]]; then
            COMPREPLY=($(compgen -W "$(_latebind_devs underlays)" -- "$cur"))
        elif ((COMP_CWORD == _lb_from)); then
            COMPREPLY=($(compgen -W "dev" -- "$cur"))
        fi
        ;;
    pool/show)
        ((COMP_CWORD == _lb_from)) &&
            COMPREPLY=($(compgen -W "$(_latebind_devs members)" -- "$cur"))
        ;;
    bench/bind)
        case $prev in
        dev) COMPREPLY=($(compgen -W "$(_latebind_devs underlays)" -- "$cur")) ;;
        ops | creates | churn) ;;
        samples) COMPREPLY=($(compgen -d -- "$cur")) ;;
        *) _latebind_keywords dev ops creates churn samples ;;
        esac
        ;;
    bench/scale)
        case $prev in
        dev) COMPREPLY=($(compgen -W "$(_latebind_devs others)" -- "$cur")) ;;
        type) COMPREPLY=($(compgen -W "geneve vxlan" -- "$cur")) ;;
        remote | ops) ;;
        *) _latebind_keywords dev type remote ops ;;
        esac
        ;;
    datapath/detach | datapath/show)
        if [[ $prev == dev ]]; then
            COMPREPLY=($(compgen -W "$(_latebind_devs others)" -- "$cur"))
        elif ((COMP_CWORD == _lb_from)); then
            COMPREPLY=($(compgen -W "dev" -- "$cur"))
        fi
        ;;
    datapath/attach | datapath/load)
        case $prev in
        dev) COMPREPLY=($(compgen -W "$(_latebind_devs others)" -- "$cur")) ;;
        mode) COMPREPLY=($(compgen -W "auto tcx cls_bpf" -- "$cur")) ;;
        dummy-range | dummy-base | dummy-count | geneve-port | vxlan-port) ;;
        *)
            local kws=(dummy-range dummy-base dummy-count geneve-port vxlan-port)
            [[ $sub == attach ]] && kws=(dev mode "${kws[@]}")
            _latebind_keywords "${kws[@]}"
            ;;
        esac
        ;;
    esac
}

complete -F _latebind latebind
