"""The Host policy keeps what it answered, never what it refused: a stranger cannot fill its memory."""

from service.host_policy import MAX_HOST, host_name, policy_for


def test_refused_hosts_are_not_kept_and_the_lines_own_name_still_is():
    policy = policy_for(allowed_hosts=("line.test",), public_base_url=None)
    for n in range(300):
        assert not policy.answers(f"stranger{n}.example".encode(), "/sms")
    assert not policy._answered
    assert policy.answers(b"line.test", "/sms") and b"line.test" in policy._answered


def test_a_host_longer_than_any_dns_name_is_not_one():
    longest = "a." * 126 + "b:65535"  # 253 characters of name, then a port
    assert len(longest) <= MAX_HOST and host_name(longest) == ("a." * 126 + "b")
    assert host_name("a" * 60 + "." + "b" * (MAX_HOST - 60)) is None
