#!/usr/bin/perl
# An independent reading of session ids, following the steps of Apache2::ClickPath 1.10's trans handler
# (lib/Apache2/ClickPath.pm, the session check) with the libraries the original uses: Perl's tr///,
# MIME::Base64's lenient decode_base64 and Digest::CRC's crc8. One id per line on stdin; one line out:
# "machine time pid counter conn friend remote" ("-" for none, newline as \\n) or "CRC" when the checksum fails.
use strict;
use warnings;
use MIME::Base64 ();
use Digest::CRC ();

while (my $id = <STDIN>) {
  chomp $id;
  $id =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;   # Apache hands the handler the %-decoded URI
  (my $plain = $id) =~ tr[N-Za-z0-9@\-,A-M][A-Za-z0-9@\-,];
  my @l = split /,/, $plain, 3;
  my %h = ('**' => '*', '*!' => '!', '*.' => '=', '!' => "\n", '*x' => '/', '*y' => '#');
  my $remote = defined $l[2] ? $l[2] : '';
  $remote =~ s/(\*[*!.xy]|!)/$h{$1}/ge;
  (my $main = $l[0]) =~ tr[@\-][+/];
  my ($machine, $payload) = split /:/, $main, 2;
  my $b = MIME::Base64::decode_base64($payload);
  my $crc = Digest::CRC::crc8(substr($b, 1));
  if (length($b) == 0 || $crc != ord(substr($b, 0, 1))) { print "CRC\n"; next; }
  my @f = unpack 'NNnN', substr($b, 1);
  $remote =~ s/\n/\\n/g;
  my $friend = defined $l[1] && length $l[1] ? $l[1] : '-';
  print join(' ', $machine, @f, $friend, length $remote ? $remote : '-'), "\n";
}
