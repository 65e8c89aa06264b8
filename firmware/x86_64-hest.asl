/*
 * The x86_64 guest's Hardware Error Source Table: one Generic Hardware
 * Error Source that the kernel polls, so that GHES runs on memory errors
 * that a test plays the firmware for (guest/nvgrace-ghes.c).
 * scripts/boot.sh compiles it with iasl and passes it with -acpitable.
 *
 * The error status address is a 64-bit word of guest RAM at 4 GiB
 * ($GHES_ADDR in platform/x86_64.sh): above mem=1536M, so the kernel does
 * not use it and /dev/mem maps it; outside the memory of every GPU
 * stand-in (the uAPI fuzzer writes there); and above the initramfs, which
 * QEMU loads at the top of the RAM below 2 GiB: the word must read 0 (no
 * error block yet) from the first poll on. The test stores in it the
 * address of the error status block, the next page. Polled every 1000 ms,
 * as a firmware without an interrupt for it would be.
 */
[0004]                          Signature : "HEST"
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "NVGRAC"
[0008]                       Oem Table ID : "GPUMEMER"
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 00000000

[0004]                 Error Source Count : 00000001

[0002]                      Subtable Type : 0009 [Generic Hardware Error Source]
[0002]                          Source Id : 0000
[0002]                  Related Source Id : FFFF
[0001]                           Reserved : 00
[0001]                            Enabled : 01
[0004]             Records To Preallocate : 00000001
[0004]            Max Sections Per Record : 00000001
[0004]                Max Raw Data Length : 00001000

[0012]               Error Status Address : [Generic Address Structure]
[0001]                           Space ID : 00 [SystemMemory]
[0001]                          Bit Width : 40
[0001]                         Bit Offset : 00
[0001]               Encoded Access Width : 04 [QWord Access:64]
[0008]                            Address : 0000000100000000

[0028]                             Notify : [Hardware Error Notification Structure]
[0001]                        Notify Type : 00 [Polled]
[0001]                      Notify Length : 1C
[0002]         Configuration Write Enable : 0000
[0004]                       PollInterval : 000003E8
[0004]                             Vector : 00000000
[0004]            Polling Threshold Value : 00000000
[0004]           Polling Threshold Window : 00000000
[0004]              Error Threshold Value : 00000000
[0004]             Error Threshold Window : 00000000

[0004]          Error Status Block Length : 00001000
