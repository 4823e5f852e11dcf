export default function P() { return <p>todo</p>; }
