#!/bin/sh
# /init of Overcast's `tiny` image: load the virtio drivers, apply the
# NoCloud config drive (hostname, address, SSH keys), print the readiness
# marker on the serial console, and idle.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /etc/modules); do
    insmod "/lib/modules/$m.ko" || echo "overcast: could not load $m"
done

# Wait for the block devices the virtio drivers find.
i=0
while [ ! -e /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

CIDATA=/run/cidata
mkdir -p $CIDATA
for dev in /dev/vd*; do
    if mount -t iso9660 -o ro "$dev" $CIDATA 2>/dev/null; then
        [ -f $CIDATA/meta-data ] && break
        umount $CIDATA
    fi
done

HOST=tiny
ADDRESS=none
KEYS=0
if [ -f $CIDATA/meta-data ]; then
    HOST=$(sed -n 's/^local-hostname: *//p' $CIDATA/meta-data)
    mkdir -p /root/.ssh
    sed -n 's/^ *- *\(ssh-[^ ].*\|ecdsa-[^ ].*\)$/\1/p' $CIDATA/meta-data > /root/.ssh/authorized_keys
    KEYS=$(wc -l < /root/.ssh/authorized_keys)
fi
hostname "$HOST"
if [ -f $CIDATA/network-config ]; then
    ADDRESS=$(sed -n 's/.*addresses: *\[\([^],]*\).*/\1/p' $CIDATA/network-config | head -n 1)
    GATEWAY=$(sed -n 's/.*gateway4: *\([0-9.]*\).*/\1/p' $CIDATA/network-config | head -n 1)
    IFACE=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
    if [ -n "$IFACE" ] && [ -n "$ADDRESS" ]; then
        ip link set "$IFACE" up
        ip addr add "$ADDRESS" dev "$IFACE"
        [ -n "$GATEWAY" ] && ip route add default via "$GATEWAY"
    fi
fi

DISKS=""
for b in /sys/block/vd*; do
    [ -e "$b" ] || continue
    DISKS="$DISKS${DISKS:+,}$(basename "$b"):$(($(cat "$b/size") / 2048))M"
done
# user-data lines `#overcast-write-once vdX` put `data-<uuid>` on a blank
# disk; every boot prints what each disk starts with, so tests can see data
# written at one boot survive to the next.
if [ -f $CIDATA/user-data ]; then
    for dev in $(sed -n 's/^#overcast-write-once \(vd[a-z]*\)$/\1/p' $CIDATA/user-data); do
        if [ -e "/dev/$dev" ] && [ -z "$(head -c 16 "/dev/$dev" | tr -d '\000')" ]; then
            printf 'data-%s' "$(cat /proc/sys/kernel/random/uuid)" | dd of="/dev/$dev" conv=notrunc 2>/dev/null
            sync
        fi
    done
fi
DATA=""
for b in /sys/block/vd*; do
    [ -e "$b" ] || continue
    name=$(basename "$b")
    DATA="$DATA $name=$(head -c 41 "/dev/$name" | tr -dc 'A-Za-z0-9-')"
done
echo "OVERCAST-DATA$DATA"
# The durability mode: user-data line `#overcast-sequence vdX`. The guest
# writes increasing sequence numbers to vdX, number n in 512-byte block
# n mod 2048 (the first MiB), and prints `OVERCAST-SEQ n` only once that
# block is written and fsync'd. At boot it first reads that MiB back and
# prints the highest number found (`OVERCAST-SEQ-FOUND n`), then goes on
# from there.
SEQ_DEV=""
if [ -f $CIDATA/user-data ]; then
    SEQ_DEV=$(sed -n 's/^#overcast-sequence \(vd[a-z]*\)$/\1/p' $CIDATA/user-data | head -n 1)
fi
if [ -n "$SEQ_DEV" ] && [ -e "/dev/$SEQ_DEV" ]; then
    SLOTS=$(cat /sys/block/$SEQ_DEV/size)
    [ "$SLOTS" -gt 2048 ] && SLOTS=2048
    FOUND=$(dd if="/dev/$SEQ_DEV" bs=512 count="$SLOTS" 2>/dev/null | tr -d '\000' \
        | sed -n 's/^seq \([0-9][0-9]*\)$/\1/p' | sort -n | tail -n 1)
    echo "OVERCAST-SEQ-FOUND ${FOUND:-0}"
fi
echo "OVERCAST-READY hostname=$(hostname) address=$ADDRESS ssh_keys=$KEYS disks=${DISKS:-none}"
if [ -n "$SEQ_DEV" ] && [ -e "/dev/$SEQ_DEV" ]; then
    n=$((${FOUND:-0} + 1))
    while true; do
        printf 'seq %d\n' "$n" | dd of="/dev/$SEQ_DEV" bs=512 seek=$((n % SLOTS)) conv=notrunc,sync,fsync 2>/dev/null \
            && echo "OVERCAST-SEQ $n"
        n=$((n + 1))
    done
fi
while true; do sleep 3600; done
