import { csvCell, csvLine } from './csv';

describe('csv', () => {
  it('quotes per RFC 4180', () => {
    expect(
      csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', null, 42, { k: 'v' }]),
    ).toBe('a,"b,c","say ""hi""","two\nlines",,42,"{""k"":""v""}"\r\n');
  });

  it('neutralises formula injection', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-2)).toBe('-2');
  });
});
