using Chat.Inference.Templates;

namespace Chat.Inference.Tests.Templates;

/// <summary>
/// Interpreter features one at a time; each expected string is what Jinja2 renders with
/// transformers' settings (trim_blocks, lstrip_blocks, loopcontrols, its tojson).
/// </summary>
public sealed class JinjaFeatureTests : IDisposable
{
    private static readonly ChatTurn[] Messages = [new("system", "S"), new("user", "U1"), new("assistant", "A1"), new("user", "U2")];

    private readonly string _folder = Directory.CreateTempSubdirectory("jinja-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("Loop_variables", "{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ m.role }}{% if loop.first %}(first){% endif %}{% if loop.last %}(last){% endif %};{% endfor %}", "1/4:system(first);2/4:user;3/4:assistant;4/4:user(last);")]
    [InlineData("Slicing_and_negative_indexes", "{{ messages[1:]|length }} {{ messages[-1]['content'] }} {{ messages[:2]|map(attribute='role')|join(',') }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[::-1] }}", "3 U2 system,user bcd fedcba")]
    [InlineData("Namespace_carries_state_out_of_a_loop", "{% set ns = namespace(n=0, found=false) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.n }} {{ ns.found }}", "2 False")]
    [InlineData("Filters_and_string_methods", "{{ '  Hi  '|trim|upper }} {{ 'hello world'|capitalize }} {{ 'hello world'.title() }} {{ 'a,b,c'.split(',')|last }} {{ 'x'.startswith('x') }} {{ missing|default('dflt') }} {{ 3|string + '!' }} {{ '42'|int + 1 }} {{ [3,1,2]|first }}", "HI Hello world Hello World c True dflt 3! 43 3")]
    [InlineData("Tojson_like_transformers", "{{ {'a': 1, 'b': [True, None, 'é\"q']}|tojson }} {{ [1, 2]|tojson(indent=2) }}", "{\"a\": 1, \"b\": [true, null, \"é\\\"q\"]} [\n  1,\n  2\n]")]
    [InlineData("Operators_with_python_semantics", "{{ 7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 3 }} {{ 1 / 4 }} {{ 'a' ~ 1 ~ none }} {{ 'b' in 'abc' }} {{ 'z' not in ['a'] }} {{ 1 if false else 2 }} {{ not true or true and false }}", "3 1 2 8 0.25 a1None True True 2 False")]
    [InlineData("Loop_filter_break_and_tuple_unpacking", "{% for m in messages if m.role != 'system' %}{% if loop.index > 2 %}{% break %}{% endif %}{{ m.role }} {% endfor %}|{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}={{ v }}{% if not loop.last %},{% endif %}{% endfor %}", "user assistant |x=1,y=2")]
    [InlineData("Tests", "{{ messages[0] is mapping }} {{ 'a' is string }} {{ 1 is number }} {{ none is none }} {{ undefined_name is defined }} {{ messages is sequence }} {{ messages[0].role is equalto 'system' }} {{ 4 is divisibleby 2 }} {{ messages|selectattr('role', 'equalto', 'user')|list|length }} {{ messages|rejectattr('role', 'equalto', 'user')|list|length }}", "True True True True False True True True 2 2")]
    [InlineData("Whitespace_control_trim_and_lstrip_blocks", "{%- if true -%}\n  A  \n{%- endif -%}\n  B\n{# comment #}\n  {% if true %}\n    C\n  {% endif %}\nD {{- ' E ' -}} F", "AB\n    C\nD E F")]
    [InlineData("Block_set_dict_get_range_and_repr", "{% set greeting %}Hi {{ messages[0].role }}{% endset %}[{{ greeting }}] {{ messages[0].get('missing', 'none!') }} {{ messages[0].get('role') }} {{ range(3)|list }} {{ [1, 'a', none, 1.5] }}", "[Hi system] none! system [0, 1, 2] [1, 'a', None, 1.5]")]
    public void Renders_like_jinja2(string feature, string template, string expected)
    {
        Assert.False(string.IsNullOrEmpty(feature));
        Assert.Equal(expected, ChatTemplateLoader.Load(_folder, template).Render(Messages));
    }

    [Theory]
    [InlineData("{{ messages|shuffle }}", "line 1, column 13: unknown filter 'shuffle'")]
    [InlineData("Hi\n{% if true %}x", "line 2, column 15: unexpected end of template; expected {% elif %} or {% else %} or {% endif %}")]
    [InlineData("{% for m in messages %}\n{{ m.role }", "line 2, column 1: unterminated tag: '{{' has no matching '}}'")]
    [InlineData("{{ 'abc }}", "line 1, column 4: unterminated string literal")]
    [InlineData("{% macro f() %}{% endmacro %}", "line 1, column 4: the 'macro' tag is not supported")]
    [InlineData("{% endfor %}", "line 1, column 4: unknown tag 'endfor'")]
    [InlineData("{{ x is shiny }}", "line 1, column 9: unknown test 'shiny'")]
    public void Syntax_errors_name_the_position(string template, string expected)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplateLoader.Load(_folder, template));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(error.RaisedByTemplate);
    }

    [Theory]
    [InlineData("{{ 'x' }}\n  {{ 'a' + 1 }}", "line 2, column 6: unsupported operand types for +: str and int")]
    [InlineData("{{ nothing.role }}", "line 1, column 11: 'nothing' is undefined, so it has no attribute 'role'")]
    [InlineData("{% for m in 3 %}{% endfor %}", "line 1, column 13: int is not iterable")]
    public void Render_errors_name_the_position(string template, string expected)
    {
        var compiled = ChatTemplateLoader.Load(_folder, template);

        var error = Assert.Throws<ChatTemplateException>(() => compiled.Render(Messages));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_exception_carries_the_templates_message()
    {
        var compiled = ChatTemplateLoader.Load(_folder, "{% if messages|length > 3 %}{{ raise_exception('Too many: ' ~ messages|length) }}{% endif %}");

        var error = Assert.Throws<ChatTemplateException>(() => compiled.Render(Messages));

        Assert.True(error.RaisedByTemplate);
        Assert.EndsWith("Too many: 4", error.Message, StringComparison.Ordinal);
    }
}
